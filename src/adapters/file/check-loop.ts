import { performance } from 'node:perf_hooks'

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
  let timer: NodeJS.Timeout | undefined
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
    timer = undefined
    deadline = Number.POSITIVE_INFINITY
    due = true
    start()
  }
  const arm = (ms: number): void => {
    if (closed) return
    clearTimeout(timer)
    deadline = performance.now() + ms
    timer = setTimeout(fire, ms)
    timer.unref()
  }
  return {
    debounce: () => arm(quietMs),
    retryIn(ms) {
      if (performance.now() + ms < deadline) arm(ms)
    },
    kick: start,
    async close() {
      closed = true
      clearTimeout(timer)
      await running
    },
  }
}
