// Propagation through each shared backend on loopback, in the same run: from `update()` on instance A to the commit
// of the same change on B, for etcd and for PostgreSQL (LISTEN/NOTIFY).
// Run: node --conditions=@hotconf/source --import tsx bench/propagation.ts
// (needs the `etcd` binary on PATH and PostgreSQL's server binaries; a missing one is skipped with a note)

import { randomUUID } from 'node:crypto'
import type { ConfigStore } from '../src/types.ts'
import {
  type ClusterBackend,
  type ClusterConfig,
  createInstance,
} from '../test/support/cluster/cluster-instance.ts'
import { etcdAvailable, startEtcd } from '../test/support/etcd-server.ts'
import { postgresAvailable, startPostgres } from '../test/support/postgres-server.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 300)

const backends: {
  name: ClusterBackend
  available: boolean
  start: () => Promise<{ endpoint: string; close(): Promise<void> }>
}[] = [
  {
    name: 'etcd',
    available: etcdAvailable,
    start: async () => await startEtcd(),
  },
  {
    name: 'postgres',
    available: postgresAvailable,
    start: async () => {
      const server = await startPostgres()
      return { endpoint: server.connectionString, close: () => server.close() }
    },
  },
]

console.log(`propagation, ${ROUNDS} sequential updates after 50 warm-up ones, loopback, one server each`)
for (const backend of backends) {
  if (!backend.available) {
    console.log(`  ${backend.name}: skipped (binary not installed)`)
    continue
  }
  const server = await backend.start()
  const name = `bench-${randomUUID()}`
  const [a, b] = await Promise.all([0, 1].map(() => createInstance(backend.name, server.endpoint, name)))
  const runs = await measure(a!, b!)
  console.log(
    `  ${backend.name.padEnd(8)} update() on A resolved (stored): ${stats(runs.map((r) => r.local))}`,
  )
  console.log(
    `  ${backend.name.padEnd(8)} update() on A -> commit on B:    ${stats(runs.map((r) => r.remote))}`,
  )
  await Promise.all([a!.close(), b!.close()])
  await server.close()
}

// --- internal ---

async function measure(a: ConfigStore<ClusterConfig>, b: ConfigStore<ClusterConfig>) {
  let waiting: { value: number; resolve: () => void } | undefined
  const sub = b.select('pool.max').subscribe((max) => {
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
  for (let i = 0; i < ROUNDS; i++) runs.push(await round(2000 + i))
  sub.unsubscribe()
  return runs
}

function stats(xs: number[]): string {
  const s = [...xs].sort((x, y) => x - y)
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(2)
  return `median ${at(0.5)} ms, p95 ${at(0.95)} ms, min ${at(0)} ms, max ${at(1)} ms`
}
