import { z } from 'zod'
import { etcdCluster } from '../../../src/adapters/etcd/index.ts'
import type { FleetOptions } from '../../../src/adapters/fleet/fleet-options.ts'
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

/** A newer release's schema: it adds `beta`, which instances on `clusterSchema` park when another one sets it. */
export const newerClusterSchema = clusterSchema.extend({ beta: z.boolean().default(false) })

/** How an instance runs beyond its backend: an older or newer schema, its fleet status options. */
export interface InstanceOptions {
  readonly schema?: typeof clusterSchema | typeof newerClusterSchema
  readonly fleet?: FleetOptions
}

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
  { schema = clusterSchema, fleet = {} }: InstanceOptions = {},
): Promise<ConfigStore<ClusterConfig>> {
  const backoff = { initialMs: 50, maxMs: 500 }
  const cluster =
    backend === 'etcd'
      ? etcdCluster<ClusterConfig>({ hosts: endpoint, prefix: name, backoff, ...fleet })
      : postgresCluster<ClusterConfig>({ connectionString: endpoint, service: name, backoff, ...fleet })
  try {
    // A newer schema's store is a superset of ClusterConfig: the scenarios read and write the shared keys through it.
    return (await createConfigStore({
      schema: schema as typeof clusterSchema,
      sources: [cluster.source],
      overrides: { backend: cluster.overrides },
      adapters: [cluster.adapter],
      logger: quiet,
    })) as ConfigStore<ClusterConfig>
  } catch (error) {
    await cluster.close()
    throw error
  }
}
