import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createConfigStore } from '../../src/index.ts'
import { jsonLayer } from '../support/json-layer.ts'
import { useTempDirs } from '../support/temp-dir.ts'

const tempDir = useTempDirs()
const quiet = { debug() {}, info() {}, warn() {}, error() {} }

const schema = z.object({
  a: z.object({ b: z.number().optional(), c: z.number().optional() }).optional(),
  d: z.string().optional(),
  e: z.number().optional(),
})
const lower = { a: { b: 1, c: 2 }, d: 'x' }

/** A store over a JSON file layer (`lower`) with persisted overrides beside it. */
async function setUp() {
  const dir = await tempDir()
  const layer = join(dir, 'layer.json')
  const file = join(dir, 'overrides.json')
  await writeFile(layer, JSON.stringify(lower))
  const open = () =>
    createConfigStore({
      schema,
      environment: 'test',
      sources: [jsonLayer(layer)],
      overrides: { file },
      logger: quiet,
    })
  return { open, file, layer }
}

type Store = Awaited<ReturnType<Awaited<ReturnType<typeof setUp>>['open']>>

const deletions: [string, (s: Store) => Promise<unknown>][] = [
  ['a patch with undefined', (s) => s.update({ a: { b: undefined } })],
  ['a recipe that deletes', (s) => s.update((d) => void delete d.a!.b)],
  ['set to undefined', (s) => s.set('a.b', undefined)],
]

describe('deleting a key a lower layer sets (issue 15)', () => {
  for (const [how, remove] of deletions) {
    it(`persists the deletion through reload and restart when it comes from ${how}`, async () => {
      const { open } = await setUp()
      const store = await open()
      expect(await remove(store)).toMatchObject({ status: 'committed' })
      expect(store.current.a).toEqual({ c: 2 })
      expect(await store.reload()).toMatchObject({ status: 'unchanged' })
      expect(store.current.a).toEqual({ c: 2 })
      await store.close()
      const again = await open()
      expect(again.current.a).toEqual({ c: 2 })
      await again.close()
    })
  }

  it('shows the deletion in explain and takes it back with reset', async () => {
    const { open } = await setUp()
    const store = await open()
    await store.update({ a: { b: undefined } })
    expect(store.explain('a.b')).toEqual({
      path: 'a.b',
      value: undefined,
      layer: 'override',
      deleted: true,
      shadowed: [{ layer: expect.stringContaining('layer.json'), value: 1 }],
    })
    expect(await store.reset('a.b')).toMatchObject({ status: 'committed' })
    expect(store.current.a).toEqual({ b: 1, c: 2 })
    await store.close()
    const again = await open()
    expect(again.current.a).toEqual({ b: 1, c: 2 })
    await again.close()
  })

  it('keeps a deleted object deleted when a key is written into it again', async () => {
    const { open, file } = await setUp()
    const store = await open()
    await store.update({ a: undefined })
    expect(store.current.a).toBeUndefined()
    expect(store.explain('a.c')).toMatchObject({ layer: 'override', deleted: true })
    await store.set('a.c', 5)
    expect(store.current.a).toEqual({ c: 5 })
    await store.close()
    const again = await open()
    expect(again.current.a).toEqual({ c: 5 })
    expect(await again.reload()).toMatchObject({ status: 'unchanged' })
    await again.close()
    expect(JSON.parse(await readFile(file, 'utf8')).overrides).toEqual({
      a: { b: { $hotconf: 'deleted' }, c: 5 },
    })
  })

  it('replaces a lower object by a scalar and back without bringing its other keys back', async () => {
    const { open } = await setUp()
    const store = await open()
    await store.update((d) => {
      d.a = { c: 7 }
    })
    expect(store.current.a).toEqual({ c: 7 })
    await store.close()
    const again = await open()
    expect(again.current.a).toEqual({ c: 7 })
    await again.close()
  })

  it('resets the whole object a deletion hid, and a reset of everything drops every tombstone', async () => {
    const { open } = await setUp()
    const store = await open()
    await store.update({ a: undefined, d: undefined })
    expect(store.current).toEqual({})
    expect(await store.reset('a.b')).toMatchObject({ status: 'committed' })
    expect(store.current).toEqual({ a: { b: 1 } })
    await store.reset()
    expect(store.current).toEqual(lower)
    await store.close()
    const again = await open()
    expect(again.current).toEqual(lower)
    await again.close()
  })

  it('drops the override instead of writing a tombstone when no lower layer sets the key', async () => {
    const { open, file } = await setUp()
    const store = await open()
    await store.set('e', 3)
    expect(await store.update({ e: undefined })).toMatchObject({ status: 'committed' })
    await store.close()
    expect(JSON.parse(await readFile(file, 'utf8')).overrides).toEqual({})
  })

  it('turns an override into a tombstone when a lower layer sets the key under it', async () => {
    const { open, file } = await setUp()
    const store = await open()
    await store.set('a.b', 9)
    await store.set('d', 'y')
    await store.update({ d: undefined, a: { b: undefined } })
    expect(store.current).toEqual({ a: { c: 2 } })
    await store.close()
    expect(JSON.parse(await readFile(file, 'utf8')).overrides).toEqual({
      a: { b: { $hotconf: 'deleted' } },
      d: { $hotconf: 'deleted' },
    })
  })
})
