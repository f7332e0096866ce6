import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { checkLoop } from '../../../src/adapters/file/check-loop.ts'

describe('checkLoop', () => {
  it('runs a zero quiet time in the next turn of the loop, before a 0 ms timeout (#23)', async () => {
    const order: string[] = []
    const loop = checkLoop(
      0,
      async () => void order.push('run'),
      () => {},
    )
    // From a timer callback: a timeout set now fires one loop turn later, after at least 1 ms.
    await sleep(5)
    setTimeout(() => order.push('timeout'), 0)
    loop.debounce()
    await sleep(10)
    expect(order).toEqual(['run', 'timeout'])
    await loop.close()
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
