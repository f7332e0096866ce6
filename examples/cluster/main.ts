// Three instances of one service share their config through etcd; a change made through one reaches all.
// Run: node --conditions=@hotconf/source --import tsx examples/cluster/main.ts
import { createConfigStore } from 'hotconf'
import { etcdCluster } from 'hotconf/etcd'
import { z } from 'zod'
// The same child-process etcd the tests use: a throwaway single node on loopback.
import { startEtcd } from '../../test/support/etcd-server.ts'

const schema = z.object({
  pool: z
    .object({ min: z.number().int().min(0).default(2), max: z.number().int().default(10) })
    .refine((p) => p.min <= p.max, { message: 'pool.min must be <= pool.max' }),
  log: z.object({ level: z.enum(['debug', 'info', 'warn']).default('info') }),
})

const etcd = await startEtcd()
console.log(`etcd on ${etcd.endpoint}`)

async function instance(name: string) {
  const cluster = etcdCluster({ hosts: etcd.endpoint, prefix: 'orders' })
  const store = await createConfigStore({
    schema,
    sources: [cluster.source],
    overrides: { backend: cluster.overrides },
    adapters: [cluster.adapter],
  })
  store.changes$.subscribe((change) => {
    const what = change.changes.map((c) => `${c.path} ${String(c.from)} -> ${String(c.to)}`).join(', ')
    console.log(`[${name}] revision ${change.revision} from ${change.source}: ${what}`)
  })
  return store
}

const [a, b, c] = await Promise.all(['a', 'b', 'c'].map(instance))
if (!a || !b || !c) throw new Error('three instances expected')
type Instance = typeof a
const reached = (store: Instance, test: (config: Instance['current']) => boolean) =>
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
console.log(`\nevery instance now runs pool = ${JSON.stringify(a.current.pool)}`)

await Promise.all([a.close(), b.close(), c.close()])
await etcd.close()
