import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ownWriteHash } from '../../../src/adapters/file/store-activity.ts'
import { type ConfigStore, createConfigStore, type OverridesBackend } from '../../../src/index.ts'
import { appSchema } from '../../fixtures/schemas.ts'
import { useTempDirs } from '../../support/temp-dir.ts'

const tempDir = useTempDirs()
const stores: ConfigStore<unknown>[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})
const sha256 = (bytes: string) => createHash('sha256').update(bytes).digest('base64url')

/** A backend in a format no part of hotconf reads, reporting (when `versioned`) the hash of the bytes it wrote. */
function textBackend(file: string, versioned: boolean): OverridesBackend {
  return {
    name: 'text',
    files: [file],
    load: async () => undefined,
    async save(doc) {
      const text = `revision ${doc.revision}: ${JSON.stringify(doc.overrides)}\n`
      await writeFile(file, text)
      return versioned ? { version: sha256(text) } : {}
    },
  }
}

/** A store on `textBackend`, after one committed `set`: the file and the revision that wrote it. */
async function afterOneSet(versioned: boolean) {
  const file = join(await tempDir(), 'overrides.txt')
  const store = await createConfigStore({
    schema: appSchema,
    overrides: { backend: textBackend(file, versioned) },
  })
  stores.push(store)
  const { revision } = await store.set('pool.max', 30)
  return { store, file, revision }
}

describe('ownWriteHash', () => {
  it("recognises the store's own write by the hash its backend's save returned, whatever the format", async () => {
    const { store, file, revision } = await afterOneSet(true)
    expect(await ownWriteHash(store, file, revision)).toBe(
      sha256(`revision ${revision}: {"pool":{"max":30}}\n`),
    )
    // Another revision's hash, a hand edit, or a file gone: not the store's own write, so the watcher reloads.
    expect(await ownWriteHash(store, file, revision - 1)).toBeUndefined()
    await writeFile(file, `revision ${revision}: {"pool":{"max":31}}\n`)
    expect(await ownWriteHash(store, file, revision)).toBeUndefined()
    expect(await ownWriteHash(store, join(file, '..', 'absent'), revision)).toBeUndefined()
  })

  it('claims no write when the save reported no version (e.g. one merged with another writer)', async () => {
    const { store, file, revision } = await afterOneSet(false)
    expect(await ownWriteHash(store, file, revision)).toBeUndefined()
  })
})
