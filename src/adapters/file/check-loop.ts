/** Schedules the watcher's checks: never two at once, never a pile of waiting ones. */
export interface CheckLoop {
  /** A file event: run once nothing has happened for the quiet period. */
  debounce(): void
  /** Run no later than `ms` from now (a keep-alive while waiting for a save to finish). */
  retryIn(ms: number): void
  /** Run soon for bookkeeping only (`due` false), unless a due run is already waiting. */
  kick(): void
  /** Stops the timers and waits for a running check. */
  close(): Promise<void>
}

/**
 * Runs `run` one at a time. A request that arrives while a run is under way is remembered once and served right
 * after it, so a burst of events costs at most one more run.
 */
export function checkLoop(
  quietMs: number,
  run: (due: boolean) => Promise<void>,
  onError: (error: unknown) => void,
): CheckLoop {
  let cancel: (() => void) | undefined
  let deadline = Number.POSITIVE_INFINITY
  let running: Promise<void> | undefined
  let again = false
  let due = false
  let closed = false

  const start = (): void => {
    if (closed) return
    if (running) {
      again = true
      return
    }
    const isDue = due
    due = false
    running = run(isDue)
      .catch(onError)
      .finally(() => {
        running = undefined
        if (again) {
          again = false
          start()
        }
      })
  }
  const fire = (): void => {
    cancel = undefined
    deadline = Number.POSITIVE_INFINITY
    due = true
    start()
  }
  const arm = (ms: number): void => {
    if (closed) return
    cancel?.()
    deadline = performance.now() + ms
    cancel = later(ms, fire)
  }
  return {
    debounce: () => arm(quietMs),
    retryIn(ms) {
      if (performance.now() + ms < deadline) arm(ms)
    },
    kick: start,
    async close() {
      closed = true
      cancel?.()
      await running
    },
  }
}

// --- internal ---

/**
 * Runs `fn` after `ms`, returning its cancel. Node runs a 0 ms timeout after 1 ms at the soonest, so no wait at all
 * is the loop's next turn instead: events delivered together still make one run.
 */
function later(ms: number, fn: () => void): () => void {
  if (ms <= 0) {
    // Kept referenced: an unreferenced immediate lets the loop block in its poll phase before running it.
    const immediate = setImmediate(fn)
    return () => clearImmediate(immediate)
  }
  const timeout = setTimeout(fn, ms).unref()
  return () => clearTimeout(timeout)
}
