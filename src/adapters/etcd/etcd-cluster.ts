import type { Adapter, ConfigSource, OverridesBackend } from '../../types.ts'
import type { EtcdIsolation } from './conflict-scope.ts'
import { type ClientRef, clientRef, type EtcdConnectionOptions } from './etcd-client.ts'
import { createEtcdOverrides } from './etcd-overrides.ts'
import { createEtcdSource } from './etcd-source.ts'
import { createEtcdSync, type EtcdSyncOptions } from './etcd-sync.ts'
import { trimPrefix } from './key-layout.ts'

/** Options of `etcdCluster`. */
export interface EtcdClusterOptions {
  /** The service's prefix: the shared layer lives under `<prefix>/config`, the runtime overrides under `<prefix>/overrides`. */
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

/** The three etcd parts of one store, on one client. */
export interface EtcdCluster<TConfig = unknown> {
  /** The fleet-wide layer (`<prefix>/config`), written by operators; put it last in `sources`. */
  readonly source: ConfigSource
  /** The runtime overrides (`<prefix>/overrides`), shared by every instance: `overrides: { backend }`. */
  readonly overrides: OverridesBackend
  /** Watches both prefixes and reloads on every change: `adapters: [adapter]`. */
  readonly adapter: Adapter<TConfig>
  /**
   * Closes the client. The store closes it already when it closes (the client goes once both the backend and the
   * adapter are closed); call this when the store was never created.
   */
  close(): Promise<void>
}

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
 */
export function etcdCluster<TConfig = unknown>(
  options: EtcdConnectionOptions & EtcdClusterOptions,
): EtcdCluster<TConfig> {
  const { prefix, required = false, isolation = 'object', timeoutMs = 5_000 } = options
  const base = trimPrefix(prefix, 'etcdCluster')
  const shared = clientRef(options, 'etcdCluster')
  const users = sharedBy(shared, 2)
  // Revisions this store's own saves produced: it holds those changes already, so their watch echo needs no reload.
  const own = new Set<string>()
  const saved = (revision: string) => {
    own.add(revision)
    if (own.size > 64) own.delete(own.values().next().value!)
  }
  return {
    source: createEtcdSource(shared, { prefix: `${base}/config`, required, timeoutMs }, false),
    overrides: createEtcdOverrides(
      users[0]!,
      { prefix: `${base}/overrides`, isolation, required, timeoutMs },
      saved,
    ),
    adapter: createEtcdSync(
      users[1]!,
      {
        prefix: [`${base}/config`, `${base}/overrides`],
        timeoutMs,
        ...(options.backoff ? { backoff: options.backoff } : {}),
      },
      (revision) => own.has(revision),
    ),
    close: () => shared.close(),
  }
}

// --- internal ---

/** `count` handles on one client; the client closes when every handle has closed. */
function sharedBy(ref: ClientRef, count: number): ClientRef[] {
  let open = count
  return Array.from({ length: count }, () => {
    let closed = false
    return {
      get: () => ref.get(),
      async close() {
        if (closed) return
        closed = true
        if (--open === 0) await ref.close()
      },
    }
  })
}
