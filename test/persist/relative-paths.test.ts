import { access, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createConfigStore } from '../../src/index.ts'
import { appSchema } from '../fixtures/schemas.ts'
import { useTempDirs } from '../support/temp-dir.ts'

const tempDir = useTempDirs()
const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const start = process.cwd()
afterEach(() => process.chdir(start))

describe('relative file paths', () => {
  it('are resolved once, at creation: a later chdir moves none of the store files', async () => {
    const home = await tempDir()
    const elsewhere = join(home, 'elsewhere')
    await mkdir(elsewhere)
    process.chdir(home)
    const store = await createConfigStore({
      schema: appSchema,
      environment: 'test',
      overrides: { file: 'state/overrides.json' },
      lastKnownGood: true,
      audit: { file: 'state/audit.jsonl' },
      logger: quiet,
    })
    process.chdir(elsewhere)
    expect(await store.set('pool.max', 12)).toMatchObject({ status: 'committed' })
    await store.snapshot({ label: 'after chdir' })
    await store.close()
    for (const name of [
      'overrides.json',
      'overrides.json.snapshots.json',
      'overrides.json.last-good.json',
      'audit.jsonl',
    ]) {
      await expect(access(join(home, 'state', name))).resolves.toBeUndefined()
      await expect(access(join(elsewhere, 'state', name))).rejects.toThrow()
    }
  })
})
