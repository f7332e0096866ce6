import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { postgresCluster } from '../../../src/adapters/postgres/index.ts'
import { MIGRATIONS } from '../../../src/adapters/postgres/migration.ts'
import { createConfigStore } from '../../../src/index.ts'
import type { ConfigStore, Logger } from '../../../src/types.ts'
import { type PostgresServer, startPostgres } from '../../support/postgres-server.ts'
import { until } from '../../support/until.ts'
import { describePostgres } from './describe-postgres.ts'

const schema = z.object({
  pool: z
    .object({ min: z.number().int().default(1), max: z.number().int().default(10) })
    .refine((p) => p.min <= p.max, { message: 'pool.min must be <= pool.max' }),
  log: z.object({ level: z.string().default('info') }),
})
type Config = z.output<typeof schema>
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} }

describePostgres('postgresCluster', () => {
  let server: PostgresServer
  let admin: pg.Pool
  const open: ConfigStore<Config>[] = []

  beforeAll(async () => {
    server = await startPostgres()
    admin = new pg.Pool({ connectionString: server.connectionString, max: 2 })
    admin.on('error', () => {})
  })
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()))
    await admin?.end()
    await server?.close()
  })

  /** An instance of `service`; with `listen: false` it never hears of other writers (no LISTEN adapter). */
  async function instance(
    service: string,
    { listen = true, ...options }: { isolation?: 'key' | 'object'; schema?: string; listen?: boolean } = {},
  ) {
    const cluster = postgresCluster<Config>({
      connectionString: server.connectionString,
      service,
      ...options,
      backoff: { initialMs: 50, maxMs: 500 },
    })
    const store = await createConfigStore({
      schema,
      sources: [cluster.source],
      overrides: { backend: cluster.overrides },
      adapters: listen ? [cluster.adapter] : [],
      logger: quiet,
    })
    open.push(store)
    if (listen) await until('LISTEN', () => store.status().adapters[0]?.state === 'running')
    return store
  }

  it('applies the migration once and records its version', async () => {
    await instance(`s-${randomUUID()}`)
    await instance(`s-${randomUUID()}`)
    const { rows } = await admin.query('SELECT version FROM hotconf.migrations ORDER BY version')
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1))
  })

  it('reports STALE_REVISION for a write to an object another writer changed, and accepts it with key isolation', async () => {
    for (const isolation of ['object', 'key'] as const) {
      const service = `s-${randomUUID()}`
      const a = await instance(service, { isolation, listen: false })
      const b = await instance(service, { isolation })
      // Another writer changes pool.min in SQL; a does not listen, so it writes without having read it.
      await admin.query(
        `INSERT INTO hotconf.overrides (service, path, value, version) VALUES ($1, 'pool.min', '5', 1000)`,
        [service],
      )
      const result = await a.set('pool.max', 40)
      if (isolation === 'object') {
        expect(result).toMatchObject({
          status: 'rolledBack',
          errors: [{ code: 'STALE_REVISION', path: 'pool.min' }],
        })
      } else {
        expect(result).toMatchObject({ status: 'committed' })
      }
      const max = isolation === 'key' ? 40 : 10
      await until('both changes reach b', () => b.current.pool.min === 5 && b.current.pool.max === max)
    }
  })

  it('reloads every instance when an operator writes the fleet layer in SQL', async () => {
    const service = `s-${randomUUID()}`
    const stores = [await instance(service), await instance(service)]
    await admin.query(
      `INSERT INTO hotconf.layer (service, path, value) VALUES ($1, 'log.level', '"debug"')`,
      [service],
    )
    await until(
      'every instance on the new layer',
      () => stores.every((s) => s.current.log.level === 'debug'),
      2000,
    )
    expect(stores[0]!.explain('log.level').layer).toBe(`postgres:hotconf.layer (${service}, log.level)`)
  })

  it('keeps services and schemas apart', async () => {
    const service = `s-${randomUUID()}`
    const [a, other] = [await instance(service), await instance(service, { schema: 'hotconf_other' })]
    expect(await a!.set('pool.max', 42)).toMatchObject({ status: 'committed' })
    const { rows } = await admin.query('SELECT count(*)::int AS n FROM hotconf_other.overrides')
    expect(rows[0].n).toBe(0)
    expect(other!.current.pool.max).toBe(10)
  })

  it('appends each save to the history table', async () => {
    const service = `s-${randomUUID()}`
    const store = await instance(service)
    await store.set('pool.max', 30)
    await store.reset('pool.max')
    const { rows } = await admin.query(
      'SELECT version, changed, removed FROM hotconf.history WHERE service = $1 ORDER BY version',
      [service],
    )
    expect(rows).toEqual([
      { version: '1', changed: { 'pool.max': 30 }, removed: [] },
      { version: '2', changed: { pool: {} }, removed: ['pool.max'] },
    ])
  })

  it('keeps deadlines and probations in the service row: a restart still expires and reverts (#20)', async () => {
    const service = `s-${randomUUID()}`
    const health = { ok: true }
    const start = () => {
      const cluster = postgresCluster<Config>({ connectionString: server.connectionString, service })
      return createConfigStore({
        schema,
        sources: [cluster.source],
        overrides: { backend: cluster.overrides },
        logger: quiet,
        probation: { checks: { health: () => health.ok } },
      })
    }
    const first = await start()
    await first.set('log.level', 'debug', { ttlMs: 3_600_000 })
    await first.set('pool.max', 500, { probation: { forMs: 3_600_000 } })
    await first.set('pool.min', 2, { probation: { forMs: 3_600_000 } })
    // A confirm changes no leaf: the row's meta alone records it.
    expect(await first.confirm(4)).toMatchObject({ status: 'committed' })
    await first.close()
    const { rows } = await admin.query('SELECT meta FROM hotconf.services WHERE service = $1', [service])
    expect(Object.keys(rows[0].meta.expiries)).toEqual(['log.level'])
    expect(Object.keys(rows[0].meta.probation)).toEqual(['3'])
    health.ok = false
    const second = await start()
    expect(second.status().expiring.map((e) => e.path)).toEqual(['log.level'])
    expect(second.current.pool).toEqual({ min: 2, max: 10 })
    expect(second.history({ limit: 1 })[0]).toMatchObject({ source: 'probation', rollbackOf: 3 })
    await second.close()
  })

  it('throws BAD_OPTIONS for a schema that is not a plain identifier or a missing service', () => {
    const connectionString = 'postgres://127.0.0.1:9/none'
    expect(() => postgresCluster({ connectionString, service: 'a', schema: 'x"; DROP' })).toThrow(
      /SQL identifier/,
    )
    expect(() => postgresCluster({ connectionString, service: '' })).toThrow(/service name/)
  })
})
