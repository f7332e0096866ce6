import { afterEach, describe, expect, it } from 'vitest'
import { useTempDirs } from '../../support/temp-dir.ts'
import { crashLoop, running } from '../crash-loop.ts'

const KILLS = Number(process.env.HOTCONF_SOAK_KILLS ?? 200)
const tempDir = useTempDirs('hotconf-soak-')
afterEach(() => {
  for (const child of running) child.kill('SIGKILL')
  running.clear()
})

describe('crash safety (soak)', () => {
  it(`keeps the overrides file whole and at the last reported commit or the next when SIGKILLed ${KILLS} times`, async () => {
    const half = Math.ceil(KILLS / 2)
    const runs = await Promise.all([
      crashLoop(await tempDir(), half),
      crashLoop(await tempDir(), KILLS - half),
    ])
    const outcomes = runs.flat()
    expect(outcomes).toHaveLength(KILLS)
    const caughtBetween = outcomes.filter((o) => o.onDisk === o.reported + 1).length
    // How often the kill landed after a write reached disk but before the child said so: the interesting case.
    console.info(`${KILLS} kills survived; ${caughtBetween} landed between a write and its report`)
  })
})
