// Three instances of one service share their config through etcd, then through PostgreSQL: a change made through one
// reaches all, and the fleet view says which instance did not take it (one runs an older release) and why.
// Run: node --conditions=@hotconf/source --import tsx examples/cluster/main.ts [etcd|postgres]
import { createConfigStore } from 'hotconf'
import { etcdCluster } from 'hotconf/etcd'
import { postgresCluster } from 'hotconf/postgres'
import type { Observable } from 'rxjs'
import { z } from 'zod'
// The same child-process servers the tests use: a throwaway etcd node and PostgreSQL cluster on loopback.
import { startEtcd } from '../../test/support/etcd-server.ts'
import { startPostgres } from '../../test/support/postgres-server.ts'

/** The schema release 1.0 runs. */
const v1 = z.object({
  pool: z
    .object({ min: z.number().int().min(0).default(2), max: z.number().int().default(10) })
    .refine((p) => p.min <= p.max, { message: 'pool.min must be <= pool.max' }),
  log: z.object({ level: z.enum(['debug', 'info', 'warn']).default('info') }),
})
/** Release 2.0 adds a feature flag, which instances still on 1.0 do not know. */
const v2 = v1.extend({ checkout: z.object({ express: z.boolean().default(false) }) })

type Backend = 'etcd' | 'postgres'
const asked = process.argv[2]
const backends: Backend[] = asked === 'etcd' || asked === 'postgres' ? [asked] : ['etcd', 'postgres']

for (const backend of backends) await tour(backend)

async function tour(backend: Backend): Promise<void> {
  const server = backend === 'etcd' ? await startEtcd() : await startPostgres()
  const endpoint = 'endpoint' in server ? server.endpoint : server.connectionString
  console.log(`\n=== ${backend} on ${endpoint}`)
  const cluster = (id: string, appVersion: string) =>
    backend === 'etcd'
      ? etcdCluster({ hosts: endpoint, prefix: 'orders', instanceId: id, appVersion, heartbeatMs: 1000 })
      : postgresCluster({
          connectionString: endpoint,
          service: 'orders',
          instanceId: id,
          appVersion,
          heartbeatMs: 1000,
        })

  async function instance<TSchema extends typeof v1>(id: string, release: string, schema: TSchema) {
    const parts = cluster(id, release)
    const store = await createConfigStore({
      schema,
      sources: [parts.source],
      overrides: { backend: parts.overrides },
      adapters: [parts.adapter],
      // The 1.0 instance warns that it parks the 2.0 flag: the fleet view below says it too.
      logger: { ...console, warn: () => {} },
    })
    store.changes$.subscribe((change) => {
      const what = change.changes.map((c) => `${c.path} ${String(c.from)} -> ${String(c.to)}`).join(', ')
      console.log(`[${id}] revision ${change.revision} from ${change.source}: ${what}`)
    })
    return store
  }

  const a = await instance('a', '2.0.0', v2)
  const b = await instance('b', '2.0.0', v2)
  const c = await instance('c', '1.0.0', v1)
  type Pool = { readonly pool: { readonly min: number; readonly max: number } }
  const reached = (store: { config$: Observable<Pool> }, test: (config: Pool) => boolean) =>
    new Promise<void>((resolve) => store.config$.subscribe((config) => test(config) && resolve()))

  console.log('\na: pool.max = 20')
  const started = performance.now()
  console.log('a:', (await a.set('pool.max', 20, { actor: 'ops', reason: 'traffic spike' })).status)
  await Promise.all([b, c].map((store) => reached(store, (config) => config.pool.max === 20)))
  console.log(`b and c committed it ${(performance.now() - started).toFixed(1)} ms after a's update started`)

  console.log('\nb and c both change pool.min at once: one wins, the other is told')
  const [fromB, fromC] = await Promise.all([b.set('pool.min', 4), c.set('pool.min', 6)])
  console.log('b:', fromB.status, fromB.status === 'rolledBack' ? fromB.errors[0]?.message : '')
  console.log('c:', fromC.status, fromC.status === 'rolledBack' ? fromC.errors[0]?.message : '')
  const winner = fromB.status === 'committed' ? 4 : 6
  await Promise.all([a, b, c].map((store) => reached(store, (config) => config.pool.min === winner)))

  console.log('\na (release 2.0): checkout.express = true')
  console.log('a:', (await a.set('checkout.express', true)).status)
  // Each instance reports after its reload: wait until none is left to report.
  let fleet = await a.fleet()
  while (fleet.lastChange === undefined || fleet.lastChange.pending.length > 0) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    fleet = await a.fleet()
  }
  for (const i of fleet.instances) {
    console.log(
      `  ${i.id}  release ${i.appVersion}  revision ${i.revision}  config ${i.configHash}  on ${i.host}:${i.pid}`,
    )
  }
  const change = fleet.lastChange
  console.log(`last change (version ${change.version}): applied by ${change.applied.join(', ')}`)
  for (const r of change.refused) console.log(`  refused by ${r.id}: ${r.reason}`)

  await Promise.all([a.close(), b.close(), c.close()])
  await server.close()
}
