import { describe, it } from 'vitest'
import { useTempDirs } from '../../support/temp-dir.ts'
import { runLoad } from '../load-run.ts'

const tempDir = useTempDirs('hotconf-soak-load-')

describe('load (soak)', () => {
  it('keeps revisions gap-free and accounts for 10,000 interleaved updates persisted to disk', async () => {
    const figures = await runLoad(await tempDir(), { api: 6_000, http: 3_700, file: 300, persist: true })
    console.info('load (persisted):', JSON.stringify(figures))
  })
})
