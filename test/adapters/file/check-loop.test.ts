import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it, vi } from 'vitest'
import { checkLoop } from '../../../src/adapters/file/check-loop.ts'

describe('checkLoop', () => {
  it('runs a zero quiet time in the next turn of the loop, with no timeout at all (#23)', async () => {
    // Timeouts never fire while faked: only a run that does not wait for one can happen.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const runs: boolean[] = []
      const loop = checkLoop(
        0,
        async (due) => void runs.push(due),
        () => {},
      )
      loop.debounce()
      await new Promise((resolve) => setImmediate(resolve))
      expect(runs).toEqual([true])
      await loop.close()
    } finally {
      vi.useRealTimers()
    }
  })

  it('makes one due run of the events that arrive together, and runs nothing once closed', async () => {
    const runs: boolean[] = []
    const loop = checkLoop(
      0,
      async (due) => void runs.push(due),
      () => {},
    )
    loop.debounce()
    loop.debounce()
    await sleep(10)
    expect(runs).toEqual([true])
    loop.debounce()
    await loop.close()
    await sleep(10)
    expect(runs).toEqual([true])
  })
})
