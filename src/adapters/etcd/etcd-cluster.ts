import { type ClusterParts, ownWrites } from '../cluster-parts.ts'
import { type FleetOptions, fleetPlan } from '../fleet/fleet-options.ts'
import { withFleet } from '../fleet/fleet-publisher.ts'
import { sharedVersion } from '../fleet/fleet-store.ts'
import { sharedBy } from '../shared-ref.ts'
import type { EtcdIsolation } from './conflict-scope.ts'
import { clientRef, type EtcdConnectionOptions } from './etcd-client.ts'
import { createEtcdFleet } from './etcd-fleet.ts'
import { createEtcdOverrides } from './etcd-overrides.ts'
import { createEtcdSource } from './etcd-source.ts'
import { createEtcdSync, type EtcdSyncOptions } from './etcd-sync.ts'
import { trimPrefix } from './key-layout.ts'

/** Options of `etcdCluster`. */
export interface EtcdClusterOptions extends FleetOptions {
  /**
   * The service's prefix: the shared layer lives under `<prefix>/config`, the runtime overrides under
   * `<prefix>/overrides`, each instance's status under `<prefix>/fleet/<id>` on a lease.
   */
  readonly prefix: string
  /** Fail store creation when etcd cannot be read at start. @default false */
  readonly required?: boolean
  /** Which concurrent overrides conflict; see `EtcdIsolation`. @default 'object' */
  readonly isolation?: EtcdIsolation
  /** Reconnect delays of the watch. @default { initialMs: 100, maxMs: 5000 } */
  readonly backoff?: EtcdSyncOptions['backoff']
  /** Deadline of each etcd call. @default 5000 */
  readonly timeoutMs?: number
}

/** The three etcd parts of one store, on one client: the layer under `<prefix>/config`, the overrides under `<prefix>/overrides`. */
export type EtcdCluster<TConfig = unknown> = ClusterParts<TConfig>

/**
 * One store's etcd parts on one client: the fleet-wide layer, the shared runtime overrides and the watch that keeps
 * the instance in step. Use one `etcdCluster` per store (the overrides backend remembers what its store read).
 *
 * @example
 * const etcd = etcdCluster({ hosts: 'http://127.0.0.1:2379', prefix: 'orders' })
 * await using store = await createConfigStore({
 *   schema,
 *   sources: [fileSource('config/default.yaml'), etcd.source],
 *   overrides: { backend: etcd.overrides },
 *   adapters: [etcd.adapter],
 * })
 * await store.set('pool.max', 20) // every instance on prefix 'orders' commits it too
 * await store.fleet() // which instances run what, and who took that change
 */
export function etcdCluster<TConfig = unknown>(
  options: EtcdConnectionOptions & EtcdClusterOptions,
): EtcdCluster<TConfig> {
  const { prefix, required = false, isolation = 'object', timeoutMs = 5_000 } = options
  const base = trimPrefix(prefix, 'etcdCluster')
  const fleet = fleetPlan(options, 'etcdCluster')
  const shared = clientRef(options, 'etcdCluster')
  const users = sharedBy(shared, 2)
  const own = ownWrites()
  const seen = sharedVersion()
  return {
    source: createEtcdSource(shared, { prefix: `${base}/config`, required, timeoutMs }, false),
    overrides: createEtcdOverrides(
      users[0]!,
      { prefix: `${base}/overrides`, isolation, required, timeoutMs },
      own.saved,
      seen.note,
    ),
    adapter: withFleet(
      createEtcdSync(
        users[1]!,
        {
          prefix: [`${base}/config`, `${base}/overrides`],
          timeoutMs,
          ...(options.backoff ? { backoff: options.backoff } : {}),
        },
        own.has,
      ),
      createEtcdFleet(users[1]!, { prefix: base, timeoutMs }),
      { ...fleet, timeoutMs },
      seen,
    ),
    close: () => shared.close(),
  }
}
