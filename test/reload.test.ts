import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createConfigStore } from '../src/index.ts'
import { fileSource } from '../src/sources/index.ts'
import { appSchema } from './fixtures/schemas.ts'
import { jsonLayer } from './support/json-layer.ts'
import { useTempDirs } from './support/temp-dir.ts'

const tempDir = useTempDirs()
const quiet = { debug() {}, info() {}, warn() {}, error() {} }

describe('store.reload', () => {
  it('commits what changed in the sources as one transaction, and nothing when nothing changed', async () => {
    const file = join(await tempDir(), 'layer.json')
    await writeFile(file, JSON.stringify({ pool: { max: 20 }, features: { newUi: false } }))
    const store = await createConfigStore({ schema: appSchema, sources: [jsonLayer(file)] })
    const poolBefore = store.current.pool
    const featuresBefore = store.current.features
    await writeFile(file, JSON.stringify({ pool: { max: 20 }, features: { newUi: true } }))
    const result = await store.reload({ reason: 'deploy' })
    expect(result).toMatchObject({
      status: 'committed',
      revision: 2,
      changes: [{ path: 'features.newUi', from: false, to: true }],
    })
    expect(store.current.pool).toBe(poolBefore)
    expect(store.current.features).not.toBe(featuresBefore)
    expect(store.history()[0]).toMatchObject({ source: 'reload', reason: 'deploy' })
    expect(await store.reload()).toMatchObject({ status: 'unchanged', revision: 2 })
    expect(store.stats().reloads).toBe(2)
  })

  it('rejects a reload whose result is invalid, or whose source fails, and keeps the live config', async () => {
    const file = join(await tempDir(), 'layer.json')
    await writeFile(file, JSON.stringify({ pool: { max: 20 } }))
    const store = await createConfigStore({ schema: appSchema, sources: [jsonLayer(file)], logger: quiet })
    await writeFile(file, JSON.stringify({ pool: { max: 'many' } }))
    expect(await store.reload()).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'INVALID', path: 'pool.max' }],
    })
    await writeFile(file, '{ broken')
    expect(await store.reload()).toMatchObject({ status: 'rejected', errors: [{ code: 'SOURCE_FAILED' }] })
    expect(store.current.pool.max).toBe(20)
    await writeFile(file, JSON.stringify({ pool: { max: 25 } }))
    expect(await store.reload()).toMatchObject({ status: 'committed' })
  })

  it('keeps runtime overrides above the reloaded layers', async () => {
    const file = join(await tempDir(), 'layer.json')
    await writeFile(file, JSON.stringify({ pool: { max: 20, min: 1 } }))
    const store = await createConfigStore({ schema: appSchema, sources: [jsonLayer(file)] })
    await store.set('pool.max', 50)
    await writeFile(file, JSON.stringify({ pool: { max: 30, min: 3 } }))
    await store.reload()
    expect(store.current.pool).toEqual({ min: 3, max: 50 })
    expect(store.explain('pool.max')).toEqual({
      path: 'pool.max',
      value: 50,
      layer: 'override',
      shadowed: [
        { layer: `json:${file}`, value: 30 },
        { layer: 'default', value: 10 },
      ],
    })
  })

  it('commits the rest and lists a changed restart key under pendingRestart, secrets redacted', async () => {
    const file = join(await tempDir(), 'layer.json')
    await writeFile(file, JSON.stringify({ server: { port: 8000 }, pool: { max: 20 } }))
    const store = await createConfigStore({ schema: appSchema, sources: [jsonLayer(file)] })
    await writeFile(file, JSON.stringify({ server: { port: 9000 }, pool: { max: 21 } }))
    const result = await store.reload()
    expect(result).toMatchObject({
      status: 'committed',
      changes: [{ path: 'pool.max', from: 20, to: 21 }],
      pendingRestart: [{ path: 'server.port', live: 8000, next: 9000 }],
    })
    expect(store.current.server.port).toBe(8000)
    expect(store.status().pendingRestart).toEqual([{ path: 'server.port', live: 8000, next: 9000 }])
    await store.set('pool.min', 5)
    expect(store.status().pendingRestart).toHaveLength(1)
    await writeFile(file, JSON.stringify({ server: { port: 8000 }, pool: { max: 21 } }))
    await store.reload()
    expect(store.status().pendingRestart).toEqual([])
  })

  it('coalesces a burst: requests during a read share at most one more read', async () => {
    const file = join(await tempDir(), 'layer.json')
    await writeFile(file, JSON.stringify({ pool: { max: 20 } }))
    const layer = jsonLayer(file)
    const store = await createConfigStore({ schema: appSchema, sources: [layer] })
    const before = layer.reads
    await writeFile(file, JSON.stringify({ pool: { max: 22 } }))
    const results = await Promise.all(Array.from({ length: 10 }, () => store.reload()))
    expect(layer.reads - before).toBe(2)
    expect(results.filter((r) => r.status === 'committed')).toHaveLength(1)
    expect(store.current.pool.max).toBe(22)
  })

  it('re-reads the overrides file, so a change written by another process arrives', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const a = await createConfigStore({ schema: appSchema, overrides: { file } })
    const b = await createConfigStore({ schema: appSchema, overrides: { file } })
    await a.set('pool.max', 77)
    expect(b.current.pool.max).toBe(10)
    expect(await b.reload()).toMatchObject({
      status: 'committed',
      changes: [{ path: 'pool.max', from: 10, to: 77 }],
    })
    expect(b.sources().map((s) => s.name)).toEqual([`file:${file}`])
    await a.close()
    await b.close()
  })

  it('reads the bytes it is handed instead of the file, and keeps them out of history and events (#23)', async () => {
    const file = join(await tempDir(), 'app.yaml')
    await writeFile(file, 'pool:\n  max: 20\n')
    const store = await createConfigStore({ schema: appSchema, sources: [fileSource(file)] })
    await writeFile(file, 'pool:\n  max: 30\n')
    const contents = [{ file, bytes: Buffer.from('pool:\n  max: 25\n') }]
    expect(await store.reload({ reason: 'saved', contents })).toMatchObject({ status: 'committed' })
    // The disk says 30: only the handed bytes say 25.
    expect(store.current.pool.max).toBe(25)
    expect(store.history()[0]).not.toHaveProperty('contents')
    expect(store.events()[0]).not.toHaveProperty('contents')
    expect(await store.reload()).toMatchObject({ changes: [{ path: 'pool.max', from: 25, to: 30 }] })
  })

  it('shares one read between reloads handed bytes, the later winning, and reads the file when one was not', async () => {
    const file = join(await tempDir(), 'app.yaml')
    await writeFile(file, 'pool:\n  max: 20\n')
    const store = await createConfigStore({ schema: appSchema, sources: [fileSource(file)] })
    const handed = (max: number) => ({ contents: [{ file, bytes: Buffer.from(`pool:\n  max: ${max}\n`) }] })
    // The first reload's read is under way when the others ask: they share the next read.
    await Promise.all([store.reload(), store.reload(handed(40)), store.reload(handed(45))])
    expect(store.current.pool.max).toBe(45)
    await writeFile(file, 'pool:\n  max: 60\n')
    await Promise.all([store.reload(handed(46)), store.reload(handed(50)), store.reload()])
    expect(store.current.pool.max).toBe(60)
  })
})
