import { describe, expect, it } from 'vitest'
import { withTimeout } from '../src/with-timeout.ts'

const expired = () => new Error('too slow')

describe('withTimeout', () => {
  it('settles as the work does when it is in time', async () => {
    await expect(withTimeout(1000, async () => 7, expired)).resolves.toBe(7)
    await expect(withTimeout(1000, async () => Promise.reject(new Error('no')), expired)).rejects.toThrow(
      'no',
    )
  })

  it('turns a synchronous throw into a rejection', async () => {
    const work = () => {
      throw new Error('sync')
    }
    await expect(withTimeout(1000, work, expired)).rejects.toThrow('sync')
  })

  it('rejects with the expired error and aborts the signal with it when the work never settles', async () => {
    let seen: AbortSignal | undefined
    const run = withTimeout(
      10,
      (signal) => {
        seen = signal
        return new Promise<never>(() => {})
      },
      expired,
    )
    await expect(run).rejects.toThrow('too slow')
    expect(seen?.aborted).toBe(true)
    expect(seen?.reason).toMatchObject({ message: 'too slow' })
  })

  it('drops a result or a failure that lands after the timeout', async () => {
    let settle: ((fail: boolean) => void) | undefined
    const late = (signal: AbortSignal) =>
      new Promise<number>((resolve, reject) => {
        settle = (fail) => (fail ? reject(signal.reason) : resolve(1))
      })
    await expect(withTimeout(10, late, expired)).rejects.toThrow('too slow')
    settle?.(false)
    await expect(withTimeout(10, late, expired)).rejects.toThrow('too slow')
    // No unhandled rejection: the late failure has nobody left to tell.
    settle?.(true)
    await new Promise((resolve) => setTimeout(resolve, 10))
  })
})
