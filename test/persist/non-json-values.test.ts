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
  when: z.date().optional(),
  big: z.bigint().default(1n),
  odd: z.nan().optional(),
  limit: z.number().optional(),
  byName: z.map(z.string(), z.number()).optional(),
  tags: z.set(z.string()).optional(),
  slots: z.array(z.number().optional()).optional(),
  raw: z.record(z.string(), z.unknown()).optional(),
})

const values = {
  when: new Date('2026-03-04T05:06:07.089Z'),
  big: 12345678901234567890n,
  odd: Number.NaN,
  limit: -0,
  byName: new Map([
    ['a', 1],
    ['b', 2],
  ]),
  tags: new Set(['x', 'y']),
  slots: [1, undefined, 3],
  raw: { $hotconf: 'deleted', nested: { $hotconf: 'date' } },
}

async function setUp() {
  const dir = await tempDir()
  const layer = join(dir, 'layer.json')
  await writeFile(layer, '{}')
  const file = join(dir, 'overrides.json')
  const audit = join(dir, 'audit.jsonl')
  const open = () =>
    createConfigStore({
      schema,
      environment: 'test',
      sources: [jsonLayer(layer)],
      overrides: { file },
      lastKnownGood: true,
      audit: { file: audit },
      logger: quiet,
    })
  return { open, file, layer, audit }
}

describe('values JSON cannot hold (issue 15)', () => {
  it('round-trip through the overrides file when a store restarts', async () => {
    const { open } = await setUp()
    const store = await open()
    expect(await store.update(values)).toMatchObject({ status: 'committed' })
    expect(await store.set('big', 2n ** 70n)).toMatchObject({ status: 'committed' })
    await store.close()
    const again = await open()
    expect(again.status().warnings).toEqual([])
    expect(again.current).toEqual({ ...values, big: 2n ** 70n })
    expect(again.current.when).toBeInstanceOf(Date)
    expect(Object.is(again.current.limit, -0)).toBe(true)
    expect(await again.reload()).toMatchObject({ status: 'unchanged' })
    await again.close()
  })

  it('round-trip through pinned snapshots and the last known good config', async () => {
    const { open, layer } = await setUp()
    const store = await open()
    await store.update(values)
    const snap = await store.snapshot({ label: 'typed' })
    await store.set('big', 7n)
    await store.close()
    // A broken layer makes the next store start on the last known good config.
    await writeFile(layer, '{ not json')
    const again = await open()
    expect(again.status().warnings.map((w) => w.code)).toEqual(['LAST_KNOWN_GOOD'])
    expect(again.current).toEqual({ ...values, big: 7n })
    await writeFile(layer, '{}')
    expect(await again.rollback(snap.id)).toMatchObject({
      status: 'committed',
      changes: [{ path: 'big', from: 7n, to: 12345678901234567890n }],
    })
    await again.close()
  })

  it('are tagged in the audit log instead of failing the append', async () => {
    const { open, audit } = await setUp()
    const store = await open()
    await store.set('big', 5n)
    await store.close()
    const lines = (await readFile(audit, 'utf8')).trim().split('\n')
    expect(JSON.parse(lines.at(-1)!).changes).toEqual([
      { path: 'big', from: { $hotconf: 'bigint', value: '1' }, to: { $hotconf: 'bigint', value: '5' } },
    ])
  })

  it('refuses up front with BAD_OPTIONS a schema whose values no file can hold when the store persists', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const cases: [z.ZodObject, string][] = [
      [z.object({ onChange: z.function().optional() }), 'schema.onChange'],
      [z.object({ list: z.array(z.object({ id: z.symbol() })).optional() }), 'schema.list.[].id'],
      [z.object({ url: z.instanceof(URL).optional() }), 'schema.url'],
    ]
    for (const [odd, path] of cases) {
      await expect(
        createConfigStore({ schema: odd, overrides: { file }, logger: quiet }),
      ).rejects.toMatchObject({
        code: 'BAD_OPTIONS',
        issues: [{ code: 'BAD_OPTIONS', path }],
      })
      const memory = await createConfigStore({ schema: odd, logger: quiet })
      await memory.close()
    }
  })
})
