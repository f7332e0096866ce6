import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createConfigStore } from '../../src/index.ts'
import { useTempDirs } from '../support/temp-dir.ts'

const tempDir = useTempDirs()
const quiet = { debug() {}, info() {}, warn() {}, error() {} }

/** The schema an older release has: no `search` section, and `pool.max` capped at 50. */
const older = z.object({
  pool: z.object({ min: z.number().int().default(2), max: z.number().int().max(50).default(10) }),
})
/** A newer release: a `search` section, and `pool.max` up to 200. */
const newer = z.object({
  pool: z.object({ min: z.number().int().default(2), max: z.number().int().max(200).default(10) }),
  search: z.object({ fuzzy: z.boolean().default(false) }),
})

const openWith = <S extends z.ZodObject>(schema: S, file: string) =>
  createConfigStore({ schema, environment: 'test', overrides: { file }, logger: quiet })

async function persisted(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')).overrides
}

describe('persisted overrides this schema does not accept (parked)', () => {
  it('are not applied, are reported, and survive the next write of an older release (a rolled-back deploy)', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const fresh = await openWith(newer, file)
    expect(await fresh.update({ pool: { max: 120 }, search: { fuzzy: true } })).toMatchObject({
      status: 'committed',
    })
    await fresh.close()

    const old = await openWith(older, file)
    expect(old.current.pool.max).toBe(10)
    const warnings = old.status().warnings.map((w) => w.message)
    expect(warnings).toEqual([
      expect.stringContaining('override at pool.max does not fit this schema'),
      expect.stringContaining('override at search does not fit this schema'),
    ])
    // status().parked names each parked override with its reason, which is what the fleet view shows.
    expect(old.status().parked).toEqual([
      { path: 'pool.max', message: expect.stringMatching(/^the persisted override at pool.max .*50/) },
      { path: 'search', message: expect.stringContaining('unknown key "search"') },
    ])
    expect(await old.set('pool.min', 3)).toMatchObject({ status: 'committed' })
    expect(await persisted(file)).toEqual({ pool: { min: 3, max: 120 }, search: { fuzzy: true } })
    await old.close()

    const again = await openWith(newer, file)
    expect(again.current).toEqual({ pool: { min: 3, max: 120 }, search: { fuzzy: true } })
    await again.close()
  })

  it('give way to a runtime write of the same path, and go with reset', async () => {
    const file = join(await tempDir(), 'overrides.json')
    await writeFile(
      file,
      JSON.stringify({
        hotconf: 1,
        revision: 3,
        updatedAt: '',
        environment: 'test',
        overrides: { pool: { max: 120 }, search: { fuzzy: true } },
      }),
    )
    const old = await openWith(older, file)
    expect(await old.set('pool.max', 40)).toMatchObject({ status: 'committed' })
    expect(await persisted(file)).toEqual({ pool: { max: 40 }, search: { fuzzy: true } })
    // `search` is no path of the older schema, so it is not in the typed API: it comes as the admin API sends it.
    expect(await old.reset('search' as 'pool')).toMatchObject({ status: 'committed' })
    expect(await persisted(file)).toEqual({ pool: { max: 40 } })
    expect(await old.reset()).toMatchObject({ status: 'committed' })
    expect(await persisted(file)).toEqual({})
    await old.close()
  })

  it('written by another instance are parked by a reload, which still commits the rest', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const old = await openWith(older, file)
    const fresh = await openWith(newer, file)
    expect(await fresh.update({ pool: { min: 4 }, search: { fuzzy: true } })).toMatchObject({
      status: 'committed',
    })
    const reloaded = await old.reload()
    expect(reloaded).toMatchObject({ status: 'committed', changes: [{ path: 'pool.min', from: 2, to: 4 }] })
    expect(old.status().warnings.map((w) => w.message)).toEqual([
      expect.stringContaining('override at search does not fit this schema'),
    ])
    // Read back as it was persisted: nothing new, nothing to warn about again.
    expect(await old.reload()).toMatchObject({ status: 'unchanged' })
    expect(old.status().warnings).toHaveLength(1)
    expect(await old.set('pool.max', 30)).toMatchObject({ status: 'committed' })
    expect(await persisted(file)).toEqual({ pool: { min: 4, max: 30 }, search: { fuzzy: true } })
    await Promise.all([old.close(), fresh.close()])
  })
})

describe('parking an override inside an array', () => {
  it('parks the whole array the override wrote, not one element of it', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const tagged = z.object({
      tags: z.array(z.string().max(3)).default([]),
      level: z.string().default('info'),
    })
    const overrides = { tags: ['ok', 'much too long'], level: 'debug' }
    await writeFile(
      file,
      JSON.stringify({ hotconf: 1, revision: 2, updatedAt: '', environment: 'test', overrides }),
    )
    const store = await openWith(tagged, file)
    expect(store.current).toEqual({ tags: [], level: 'debug' })
    expect(store.status().warnings.map((w) => w.message)).toEqual([
      expect.stringContaining('override at tags does not fit this schema'),
    ])
    expect(await store.set('level', 'warn')).toMatchObject({ status: 'committed' })
    expect(await persisted(file)).toEqual({ tags: ['ok', 'much too long'], level: 'warn' })
    await store.close()
  })
})
