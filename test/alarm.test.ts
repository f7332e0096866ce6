import { describe, expect, it } from 'vitest'
import { Alarm } from '../src/store/alarm.ts'
import { manualTimers } from './support/manual-timers.ts'

describe('Alarm: the one wake-up of the expiry and probation timers', () => {
  it('wakes at its time, once, and a later setting replaces an earlier one', () => {
    const clocks = manualTimers()
    const alarm = new Alarm(clocks.timers)
    const woke: string[] = []
    const now = clocks.timers.now()
    alarm.set(now + 10, () => woke.push('first'))
    alarm.set(now + 20, () => woke.push('second'))
    clocks.advance(19)
    expect(woke).toEqual([])
    clocks.advance(1)
    expect(woke).toEqual(['second'])
    clocks.advance(100)
    expect(woke).toEqual(['second'])
    expect(clocks.pending).toBe(0)
  })

  it('asks Node for at most 2^31-1 ms: a farther time wakes early, and setting it again waits the rest', () => {
    const delays: number[] = []
    const clocks = manualTimers()
    const timers = {
      ...clocks.timers,
      setTimeout: (callback: () => void, ms: number) => {
        delays.push(ms)
        return clocks.timers.setTimeout(callback, ms)
      },
    }
    const alarm = new Alarm(timers)
    const at = clocks.timers.now() + 2 ** 32
    let woke = 0
    const arm = () => alarm.set(at, () => (clocks.timers.now() < at ? arm() : woke++))
    arm()
    clocks.advance(2 ** 32)
    expect(delays).toEqual([2 ** 31 - 1, 2 ** 31 - 1, 2])
    expect(woke).toBe(1)
  })

  it('keeps the wake-up it has for the same time, and clear() drops it', () => {
    const clocks = manualTimers()
    const alarm = new Alarm(clocks.timers)
    let woke = 0
    const at = clocks.timers.now() + 5
    alarm.set(at, () => woke++)
    alarm.set(at, () => (woke += 100))
    clocks.advance(5)
    expect(woke).toBe(1)
    alarm.set(clocks.timers.now() + 5, () => woke++)
    alarm.clear()
    clocks.advance(10)
    expect(woke).toBe(1)
  })
})
