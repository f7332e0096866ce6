// Propagation through etcd on loopback: from `update()` on instance A to the commit of the same change on B.
// Run: node --conditions=@hotconf/source --import tsx bench/etcd.ts   (needs the `etcd` binary on PATH)

import { z } from 'zod'
import { etcdCluster } from '../src/adapters/etcd/index.ts'
import { createConfigStore } from '../src/index.ts'
import { startEtcd } from '../test/support/etcd-server.ts'

const schema = z.object({ pool: z.object({ max: z.number().int().default(10) }) })
const etcd = await startEtcd()
const instance = async () => {
  const cluster = etcdCluster({ hosts: etcd.endpoint, prefix: 'bench' })
  return createConfigStore({
    schema,
    sources: [cluster.source],
    overrides: { backend: cluster.overrides },
    adapters: [cluster.adapter],
  })
}
const [a, b] = await Promise.all([instance(), instance()])
if (!a || !b) throw new Error('two instances expected')

let waiting: { value: number; resolve: () => void } | undefined
b.select('pool.max').subscribe((max) => {
  if (waiting && max === waiting.value) waiting.resolve()
})
const round = async (value: number) => {
  const committedOnB = new Promise<void>((resolve) => {
    waiting = { value, resolve }
  })
  const t0 = performance.now()
  const result = await a.set('pool.max', value)
  const local = performance.now() - t0
  if (result.status !== 'committed') throw new Error(`update ${value}: ${result.status}`)
  await committedOnB
  return { local, remote: performance.now() - t0 }
}

for (let i = 0; i < 50; i++) await round(1000 + i)
const runs: { local: number; remote: number }[] = []
for (let i = 0; i < 500; i++) runs.push(await round(2000 + i))

const stats = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y)
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(2)
  return `median ${at(0.5)} ms, p95 ${at(0.95)} ms, min ${at(0)} ms, max ${at(1)} ms`
}
console.log(`etcd propagation, ${runs.length} sequential updates, loopback, single etcd node`)
console.log(`  update() on A resolved (etcd txn committed): ${stats(runs.map((r) => r.local))}`)
console.log(`  update() on A -> commit on B:               ${stats(runs.map((r) => r.remote))}`)

await Promise.all([a.close(), b.close()])
await etcd.close()
