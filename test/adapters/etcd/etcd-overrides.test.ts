import { randomUUID } from 'node:crypto'
import { Etcd3 } from 'etcd3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { etcdOverrides } from '../../../src/adapters/etcd/index.ts'
import { ConfigError } from '../../../src/errors.ts'
import { createConfigStore } from '../../../src/index.ts'
import type { BackendContext, OverridesBackend, PersistedOverrides } from '../../../src/types.ts'
import { type EtcdServer, startEtcd } from '../../support/etcd-server.ts'
import { describeEtcd } from './describe-etcd.ts'

/** Two releases of one service: the newer one adds `search`. */
const older = z.object({ pool: z.object({ max: z.number().int().default(10) }) })
const newer = z.object({
  pool: z.object({ max: z.number().int().default(10) }),
  search: z.object({ fuzzy: z.boolean().default(false) }),
})

describeEtcd('etcdOverrides', () => {
  let etcd: EtcdServer
  let client: Etcd3
  const backends: OverridesBackend[] = []

  beforeAll(async () => {
    etcd = await startEtcd()
    client = new Etcd3({ hosts: etcd.endpoint })
  })
  afterAll(async () => {
    await Promise.all(backends.map((b) => b.close?.()))
    client?.close()
    await etcd?.close()
  })

  const backend = (prefix: string, options: { isolation?: 'key' | 'object' | 'document' } = {}) => {
    const b = etcdOverrides({ hosts: etcd.endpoint, prefix, ...options })
    backends.push(b)
    return b
  }
  const reports: { code: string; message: string }[] = []
  const ctx: BackendContext = { environment: 'test', report: (w) => reports.push(w) }
  const doc = (overrides: Record<string, unknown>): PersistedOverrides => ({
    overrides,
    revision: 2,
    updatedAt: '2026-01-01T00:00:00.000Z',
    environment: 'test',
  })
  const staleOf = (result: PromiseSettledResult<unknown>) =>
    result.status === 'rejected' && result.reason instanceof ConfigError ? result.reason.issues : undefined

  it('loads what another backend saved, one key per leaf, and returns the etcd revision when it saves', async () => {
    const prefix = `t/${randomUUID()}`
    const a = backend(prefix)
    expect(await a.load(ctx)).toMatchObject({ overrides: {} })
    const saved = await a.save(doc({ pool: { max: 20, tags: ['x'] }, log: 'debug' }))
    const stored = await client.getAll().prefix(`${prefix}/`).exec()
    expect(stored.kvs.map((kv) => [kv.key.toString(), kv.value.toString()])).toEqual([
      [`${prefix}/log`, '"debug"'],
      [`${prefix}/pool.max`, '20'],
      [`${prefix}/pool.tags`, '["x"]'],
    ])
    expect(saved).toEqual({ version: stored.kvs[0]!.mod_revision })
    expect(await backend(prefix).load(ctx)).toEqual(doc({ pool: { max: 20, tags: ['x'] }, log: 'debug' }))
  })

  it('persists a deletion of a lower layer key as a tagged tombstone leaf when a store deletes it (issue 15)', async () => {
    const prefix = `t/${randomUUID()}`
    const schema = z.object({
      pool: z.object({ max: z.number().int().optional(), min: z.number().optional() }),
    })
    const open = () =>
      createConfigStore({
        schema,
        initial: { pool: { max: 10, min: 1 } },
        overrides: { backend: backend(prefix) },
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      })
    const store = await open()
    expect(await store.update({ pool: { max: undefined } })).toMatchObject({ status: 'committed' })
    const stored = await client.getAll().prefix(`${prefix}/`).exec()
    expect(stored.kvs.map((kv) => [kv.key.toString(), kv.value.toString()])).toEqual([
      [`${prefix}/pool.max`, '{"$hotconf":"deleted"}'],
    ])
    await store.close()
    const again = await open()
    expect(again.current.pool).toEqual({ min: 1 })
    await again.close()
  })

  it('round-trips dates and bigints through tagged leaves when a store restarts on the prefix (issue 15)', async () => {
    const prefix = `t/${randomUUID()}`
    const schema = z.object({ when: z.date().optional(), big: z.bigint().default(0n) })
    const open = () =>
      createConfigStore({
        schema,
        overrides: { backend: backend(prefix) },
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      })
    const store = await open()
    const when = new Date('2026-01-02T03:04:05.006Z')
    expect(await store.update({ when, big: 2n ** 64n })).toMatchObject({ status: 'committed' })
    await store.close()
    const again = await open()
    expect(again.current).toEqual({ when, big: 2n ** 64n })
    expect(again.status().warnings).toEqual([])
    await again.close()
  })

  it('deletes the keys of reset overrides in the same transaction when a save drops them', async () => {
    const prefix = `t/${randomUUID()}`
    const a = backend(prefix)
    await a.load(ctx)
    await a.save(doc({ pool: { max: 20, min: 2 } }))
    const { version } = (await a.save(doc({ pool: { min: 3 } }))) as { version: string }
    const stored = await client.getAll().prefix(`${prefix}/`).exec()
    expect(stored.kvs.map((kv) => [kv.key.toString(), kv.value.toString(), kv.mod_revision])).toEqual([
      [`${prefix}/pool.min`, '3', version],
    ])
    expect(stored.header.revision).toBe(version)
  })

  it('lets exactly one of two writers win when both change the same key concurrently', async () => {
    const prefix = `t/${randomUUID()}`
    const [a, b] = [backend(prefix), backend(prefix)]
    await Promise.all([a.load(ctx), b.load(ctx)])
    const results = await Promise.allSettled([
      a.save(doc({ pool: { max: 20 } })),
      b.save(doc({ pool: { max: 30 } })),
    ])
    const stale = results.map(staleOf)
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const issues = stale.find((s) => s !== undefined)!
    expect(issues[0]).toMatchObject({
      code: 'STALE_REVISION',
      path: 'pool.max',
      source: `${prefix}/pool.max`,
    })
    const winner = results[0]!.status === 'fulfilled' ? '20' : '30'
    expect(await client.get(`${prefix}/pool.max`).string()).toBe(winner)
  })

  it('lets both writers win when they change keys of different objects concurrently', async () => {
    const prefix = `t/${randomUUID()}`
    const [a, b] = [backend(prefix), backend(prefix)]
    await Promise.all([a.load(ctx), b.load(ctx)])
    const results = await Promise.allSettled([
      a.save(doc({ pool: { max: 20 } })),
      b.save(doc({ server: { port: 81 } })),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled'])
    expect(await client.getAll().prefix(`${prefix}/`).strings()).toEqual({
      [`${prefix}/pool.max`]: '20',
      [`${prefix}/server.port`]: '81',
    })
  })

  it('makes sibling keys conflict with object isolation and not with key isolation', async () => {
    for (const [isolation, fulfilled] of [
      ['object', 1],
      ['key', 2],
    ] as const) {
      const prefix = `t/${randomUUID()}`
      const [a, b] = [backend(prefix, { isolation }), backend(prefix, { isolation })]
      await Promise.all([a.load(ctx), b.load(ctx)])
      const results = await Promise.allSettled([
        a.save(doc({ pool: { min: 5 } })),
        b.save(doc({ pool: { max: 3 } })),
      ])
      expect(
        results.filter((r) => r.status === 'fulfilled'),
        isolation,
      ).toHaveLength(fulfilled)
    }
  })

  it('reports STALE_REVISION naming a key another writer deleted when this one read it before', async () => {
    const prefix = `t/${randomUUID()}`
    const [a, b] = [backend(prefix), backend(prefix)]
    await a.load(ctx)
    await a.save(doc({ pool: { max: 5 } }))
    await b.load(ctx)
    await b.save(doc({}))
    const error = await a.save(doc({ pool: { max: 5, min: 1 } })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).issues).toEqual([
      expect.objectContaining({
        code: 'STALE_REVISION',
        path: 'pool.max',
        message: expect.stringMatching(/deleted/),
      }),
    ])
    expect(await client.get(`${prefix}/pool.min`).string()).toBeNull()
  })

  it('never conflicts with its own earlier saves when it saves again before reloading', async () => {
    const prefix = `t/${randomUUID()}`
    const a = backend(prefix, { isolation: 'document' })
    await a.load(ctx)
    await a.save(doc({ pool: { max: 5 } }))
    await a.save(doc({ pool: { max: 5, min: 1 } }))
    await a.save(doc({ pool: { min: 1 }, debug: true }))
    expect(await client.getAll().prefix(`${prefix}/`).strings()).toEqual({
      [`${prefix}/debug`]: 'true',
      [`${prefix}/pool.min`]: '1',
    })
  })

  it('writes nothing when the overrides did not change', async () => {
    const prefix = `t/${randomUUID()}`
    const a = backend(prefix)
    await a.load(ctx)
    const first = await a.save(doc({ pool: { max: 5 } }))
    const before = (await client.get('nothing').exec()).header.revision
    expect(await a.save(doc({ pool: { max: 5 } }))).toEqual(first)
    expect((await client.get('nothing').exec()).header.revision).toBe(before)
  })

  it('returns the same document when a reload finds what it last saved, so the store sees nothing new', async () => {
    const prefix = `t/${randomUUID()}`
    const a = backend(prefix)
    await a.load(ctx)
    const saved = doc({ pool: { max: 5 } })
    await a.save(saved)
    expect(await a.load(ctx)).toBe(saved)
  })

  it('ignores and reports keys that are not usable config paths when someone wrote them by hand', async () => {
    const prefix = `t/${randomUUID()}`
    await client.put(`${prefix}/__proto__.polluted`).value('true')
    await client.put(`${prefix}/pool.max`).value('7')
    reports.length = 0
    expect((await backend(prefix).load(ctx))?.overrides).toEqual({ pool: { max: 7 } })
    expect(reports).toEqual([
      { code: 'CORRUPT_FILE', message: expect.stringContaining('__proto__.polluted') },
    ])
  })

  it('starts without overrides, reporting SOURCE_FAILED, when etcd is unreachable and not required', async () => {
    const down = etcdOverrides({ hosts: 'http://127.0.0.1:1', prefix: 'x', timeoutMs: 1000 })
    reports.length = 0
    expect(await down.load(ctx)).toBeUndefined()
    expect(reports).toEqual([
      { code: 'SOURCE_FAILED', message: expect.stringContaining('could not be read') },
    ])
    await down.close?.()
  })

  it('throws SOURCE_FAILED when etcd is unreachable at start and the overrides are required', async () => {
    const down = etcdOverrides({ hosts: 'http://127.0.0.1:1', prefix: 'x', required: true, timeoutMs: 1000 })
    await expect(down.load(ctx)).rejects.toMatchObject({ code: 'SOURCE_FAILED', issues: [{ source: 'x/' }] })
    await down.close?.()
  })

  // A rolling deploy: instances of two releases share one prefix for their runtime overrides.
  it('keeps the keys only a newer release knows when an instance of an older one writes, for every instance', async () => {
    const prefix = `/hotconf-test/${randomUUID()}/`
    const open = <S extends z.ZodObject>(schema: S) =>
      createConfigStore({
        schema,
        environment: 'test',
        overrides: { backend: backend(prefix) },
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      })
    const fresh = await open(newer)
    expect(await fresh.set('search.fuzzy', true)).toMatchObject({ status: 'committed' })
    const old = await open(older)
    expect(old.status().warnings.map((w) => w.message)).toEqual([
      expect.stringContaining('override at search does not fit this schema'),
    ])
    expect(await old.set('pool.max', 30)).toMatchObject({ status: 'committed' })

    const keys = await client.getAll().prefix(prefix).keys()
    expect(keys.filter((k) => !k.endsWith('/_meta')).sort()).toEqual([
      expect.stringContaining('pool'),
      expect.stringContaining('search'),
    ])
    expect(await fresh.reload()).toMatchObject({
      status: 'committed',
      changes: [{ path: 'pool.max', to: 30 }],
    })
    expect(fresh.current).toEqual({ pool: { max: 30 }, search: { fuzzy: true } })
    await Promise.all([old.close(), fresh.close()])
  })
})
