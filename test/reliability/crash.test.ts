import { afterEach, describe, expect, it } from 'vitest'
import { useTempDirs } from '../support/temp-dir.ts'
import { crashLoop, running } from './crash-loop.ts'

const tempDir = useTempDirs('hotconf-crash-')
afterEach(() => {
  for (const child of running) child.kill('SIGKILL')
  running.clear()
})

describe('crash safety', () => {
  it('keeps the overrides file whole and at the last reported commit or the next when SIGKILLed 20 times', async () => {
    // Two directories at once: the machine has two cores, and each child spends most of its life starting up.
    const runs = await Promise.all([crashLoop(await tempDir(), 10), crashLoop(await tempDir(), 10)])
    const outcomes = runs.flat()
    expect(outcomes).toHaveLength(20)
    // Each child got past its first commit, and the loop carried on from what the previous one left.
    expect(outcomes.every((o) => o.commits > 0)).toBe(true)
    expect(outcomes.at(-1)!.onDisk).toBeGreaterThanOrEqual(10)
  }, 120_000)
})
