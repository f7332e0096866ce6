import type { StoreTimers } from '../types.ts'

/**
 * One wake-up at a time on the store's monotonic clock, for the timers that act on deadlines (expiries,
 * probations): never keeping the host process alive, and never asking Node for more than its timers hold (a farther
 * time wakes early, and the callback, which re-arms, sets it again on the way).
 */
export class Alarm {
  readonly #timers: StoreTimers
  #handle: unknown
  #at = Number.POSITIVE_INFINITY

  constructor(timers: StoreTimers) {
    this.#timers = timers
  }

  /** Wakes `callback` at monotonic time `at` instead of any earlier setting; the same `at` keeps the one set. */
  set(at: number, callback: () => void): void {
    if (at === this.#at) return
    this.clear()
    if (at === Number.POSITIVE_INFINITY) return
    const delay = Math.min(Math.max(0, at - this.#timers.now()), MAX_DELAY)
    this.#at = at
    this.#handle = this.#timers.setTimeout(() => {
      this.#handle = undefined
      this.#at = Number.POSITIVE_INFINITY
      callback()
    }, delay)
    ;(this.#handle as { unref?: () => void } | undefined)?.unref?.()
  }

  clear(): void {
    if (this.#handle !== undefined) this.#timers.clearTimeout(this.#handle)
    this.#handle = undefined
    this.#at = Number.POSITIVE_INFINITY
  }
}

// --- internal ---

/** Node's timers hold at most 2^31-1 ms. */
const MAX_DELAY = 2 ** 31 - 1
