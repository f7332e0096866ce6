/** The event streams an admin app has open. */
export interface StreamRegistry {
  /** Registers an open stream by the function that ends it; false when `max` are open or the app is closing. */
  add(end: () => void): boolean
  /** Forgets a stream that ended. */
  delete(end: () => void): void
  /** Whether one more stream may open now. */
  hasRoom(): boolean
  /** The cap, for messages. */
  readonly max: number
}

/**
 * Counts the open streams against `max` and ends them all when `signal` aborts, through one listener for the app
 * (one per stream on a shared signal would pass Node's listener limit and warn `MaxListenersExceededWarning`).
 */
export function createStreamRegistry(max: number, signal: AbortSignal | undefined): StreamRegistry {
  const open = new Set<() => void>()
  signal?.addEventListener(
    'abort',
    () => {
      for (const end of [...open]) end()
    },
    { once: true },
  )
  const hasRoom = () => open.size < max && signal?.aborted !== true
  return {
    max,
    hasRoom,
    add(end) {
      if (!hasRoom()) return false
      open.add(end)
      return true
    },
    delete(end) {
      open.delete(end)
    },
  }
}
