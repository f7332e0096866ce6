import type { Isolation } from '../../adapter-kit.ts'
import { ConfigError, issue } from '../../errors.ts'
import { type ClusterParts, ownWrites } from '../cluster-parts.ts'
import { type FleetOptions, fleetPlan } from '../fleet/fleet-options.ts'
import { withFleet } from '../fleet/fleet-publisher.ts'
import { sharedVersion } from '../fleet/fleet-store.ts'
import { sharedBy } from '../shared-ref.ts'
import { schemaName } from './migration.ts'
import { type PostgresConnectionOptions, poolRef } from './pg-client.ts'
import { createPgFleet } from './pg-fleet.ts'
import { createPgOverrides } from './pg-overrides.ts'
import { createPgSource } from './pg-source.ts'
import { createPgSync } from './pg-sync.ts'

/** Options of `postgresCluster`. */
export interface PostgresClusterOptions extends FleetOptions {
  /** The service: every instance with the same name shares its layer and overrides. */
  readonly service: string
  /** The SQL schema holding hotconf's tables (created on first use; see docs/postgres.md). @default 'hotconf' */
  readonly schema?: string
  /** Fail store creation when PostgreSQL cannot be read at start. @default false */
  readonly required?: boolean
  /** Which concurrent overrides conflict; see `Isolation`. @default 'object' */
  readonly isolation?: Isolation
  /** Reconnect delays of the LISTEN connection, doubled per failed attempt, with jitter. @default { initialMs: 100, maxMs: 5000 } */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number }
  /** Connect and query deadline of the pool hotconf creates (a `pool` you pass keeps its own). @default 5000 */
  readonly timeoutMs?: number
}

/** The three PostgreSQL parts of one store, on one pool: the service's rows of `<schema>.layer` and `<schema>.overrides`. */
export type PostgresCluster<TConfig = unknown> = ClusterParts<TConfig>

/**
 * One store's PostgreSQL parts on one pool: the fleet-wide layer, the shared runtime overrides and the LISTEN that
 * keeps the instance in step; the same contract and guarantees as `etcdCluster`. Needs the optional peer `pg`
 * (node-postgres). Use one `postgresCluster` per store (the overrides backend remembers what its store read).
 *
 * @example
 * const pg = postgresCluster({ connectionString: 'postgres://app@db/app', service: 'orders' })
 * await using store = await createConfigStore({
 *   schema,
 *   sources: [fileSource('config/default.yaml'), pg.source],
 *   overrides: { backend: pg.overrides },
 *   adapters: [pg.adapter],
 * })
 * await store.set('pool.max', 20) // every instance of 'orders' commits it too
 * await store.fleet() // which instances run what, and who took that change
 */
export function postgresCluster<TConfig = unknown>(
  options: PostgresConnectionOptions & PostgresClusterOptions,
): PostgresCluster<TConfig> {
  const { service, schema = 'hotconf', required = false, isolation = 'object', timeoutMs = 5_000 } = options
  const { initialMs = 100, maxMs = 5_000 } = options.backoff ?? {}
  schemaName(schema, 'postgresCluster')
  if (typeof service !== 'string' || service === '') {
    throw new ConfigError(
      issue('BAD_OPTIONS', 'service', "postgresCluster needs a service name, e.g. 'orders'"),
    )
  }
  const fleet = fleetPlan(options, 'postgresCluster')
  const shared = poolRef(options, 'postgresCluster', timeoutMs)
  const users = sharedBy(shared, 2)
  const own = ownWrites()
  const seen = sharedVersion()
  return {
    source: createPgSource(shared, { schema, service, required }),
    overrides: createPgOverrides(users[0]!, { schema, service, isolation, required }, own.saved, seen.note),
    adapter: withFleet(
      createPgSync(users[1]!, { schema, service, initialMs, maxMs }, own.has),
      createPgFleet(users[1]!, { schema, service }),
      { ...fleet, timeoutMs },
      seen,
    ),
    close: () => shared.close(),
  }
}
