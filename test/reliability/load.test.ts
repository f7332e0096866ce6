import { describe, it } from 'vitest'
import { useTempDirs } from '../support/temp-dir.ts'
import { runLoad } from './load-run.ts'

const tempDir = useTempDirs('hotconf-load-')

describe('load', () => {
  // In memory: 10,000 fsyncs would take most of a minute; persistence under load runs in the soak, and persistence
  // under crashes in crash.test.ts.
  it('keeps revisions gap-free and accounts for 10,000 interleaved API, HTTP and file updates', async () => {
    const figures = await runLoad(await tempDir(), { api: 6_000, http: 3_700, file: 300, persist: false })
    console.info('load:', JSON.stringify(figures))
  }, 60_000)
})
