import { z } from 'zod'
import { etcdCluster } from '../../../src/adapters/etcd/index.ts'
import { postgresCluster } from '../../../src/adapters/postgres/index.ts'
import { createConfigStore } from '../../../src/index.ts'
import type { ConfigStore, Logger } from '../../../src/types.ts'

/** The config every cluster instance in the tests shares. */
export const clusterSchema = z.object({
  pool: z
    .object({ min: z.number().int().default(1), max: z.number().int().default(10) })
    .refine((p) => p.min <= p.max, { message: 'pool.min must be <= pool.max' }),
  server: z.object({ port: z.number().int().default(8080) }),
  counter: z.number().int().default(0),
})

export type ClusterConfig = z.output<typeof clusterSchema>

/** Warnings (SOURCE_FAILED during an outage) are expected in these tests: keep them off the console. */
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} }

/** The shared backends the cluster scenarios run on. */
export type ClusterBackend = 'etcd' | 'postgres'

/**
 * One instance of the service: the shared layer, shared overrides and the watch, on one connection. `name` is the
 * etcd prefix or the PostgreSQL service.
 */
export async function createInstance(
  backend: ClusterBackend,
  endpoint: string,
  name: string,
): Promise<ConfigStore<ClusterConfig>> {
  const backoff = { initialMs: 50, maxMs: 500 }
  const cluster =
    backend === 'etcd'
      ? etcdCluster<ClusterConfig>({ hosts: endpoint, prefix: name, backoff })
      : postgresCluster<ClusterConfig>({ connectionString: endpoint, service: name, backoff })
  try {
    return await createConfigStore({
      schema: clusterSchema,
      sources: [cluster.source],
      overrides: { backend: cluster.overrides },
      adapters: [cluster.adapter],
      logger: quiet,
    })
  } catch (error) {
    await cluster.close()
    throw error
  }
}
