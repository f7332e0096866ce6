import type { StoreTimers } from '../../src/index.ts'

/**
 * A clock pair for tests: a monotonic clock and a wall clock that move together with `advance`, and a wall clock
 * that can jump alone (`jumpWall`), as NTP or an operator makes it. Timers fire only inside `advance`, in order.
 */
export function manualTimers(startWall = Date.parse('2026-01-01T00:00:00.000Z')) {
  let mono = 1000
  let wall = startWall
  let nextId = 1
  const pending = new Map<number, { readonly due: number; readonly callback: () => void }>()
  const timers: StoreTimers = {
    now: () => mono,
    setTimeout(callback, ms) {
      const id = nextId++
      pending.set(id, { due: mono + Math.max(0, ms), callback })
      return id
    },
    clearTimeout(handle) {
      pending.delete(handle as number)
    },
  }
  return {
    timers,
    clock: () => new Date(wall),
    /** Moves both clocks by `ms`, firing each timer that falls due on the way at its own time. */
    advance(ms: number): void {
      const end = mono + ms
      for (;;) {
        const next = [...pending].sort((a, b) => a[1].due - b[1].due || a[0] - b[0])[0]
        if (!next || next[1].due > end) break
        pending.delete(next[0])
        wall += next[1].due - mono
        mono = next[1].due
        next[1].callback()
      }
      wall += end - mono
      mono = end
    },
    /** The wall clock alone jumps (forward or back); the monotonic clock does not. */
    jumpWall(ms: number): void {
      wall += ms
    },
    get pending(): number {
      return pending.size
    },
  }
}

/** Lets queued transactions and their saves run: a few macrotasks. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve))
}
