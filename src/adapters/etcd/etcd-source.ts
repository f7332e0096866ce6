import type { IRangeResponse } from 'etcd3'
import { isMissingDependency, messageOf } from '../../adapter-kit.ts'
import { ConfigError, issue } from '../../errors.ts'
import type { ConfigSource, SourceData } from '../../types.ts'
import { type ClientRef, callOptions, clientRef, type EtcdConnectionOptions } from './etcd-client.ts'
import { etcdLayer, keyLayout, leavesOf, prefixRange } from './key-layout.ts'

/** Options of `etcdSource`. */
export interface EtcdSourceOptions {
  /** The key prefix of the layer: `myapp/config` holds `myapp/config/pool.max`. */
  readonly prefix: string
  /** Fail store creation when etcd cannot be read at start, instead of starting without this layer. @default false */
  readonly required?: boolean
  /** Deadline of each etcd call. @default 5000 */
  readonly timeoutMs?: number
}

/**
 * A read-only layer kept in etcd, for settings the whole fleet shares (operators write them with `etcdctl`).
 *
 * Layout: one key per leaf, `<prefix>/<dotted.path>`, holding the leaf's JSON (`myapp/config/pool.max` → `20`;
 * text that is not JSON is taken as a string). One key per leaf rather than one JSON document means operators and
 * instances can change different settings at the same time without overwriting each other, and `explain()` names
 * the exact etcd key a value came from. Arrays are leaves: they are replaced, never merged.
 *
 * When etcd cannot be read:
 * - at start with `required: false` (the default), the layer is absent and the other layers serve; it arrives with
 *   the next successful reload (`etcdSync` reloads as soon as etcd answers again);
 * - at start with `required: true`, `load` throws a `ConfigError` `SOURCE_FAILED` and store creation fails;
 * - after it has been read once, the last layer read keeps serving, so an outage never changes the config.
 *
 * Given `hosts`, each load opens and closes its own connection (a source has no close); pass a `client`, or use
 * `etcdCluster`, to share one.
 *
 * @example
 * const store = await createConfigStore({
 *   schema,
 *   sources: [fileSource('config/default.yaml'), etcdSource({ hosts: 'http://127.0.0.1:2379', prefix: 'orders/config' })],
 *   adapters: [etcdSync({ hosts: 'http://127.0.0.1:2379', prefix: 'orders/config' })],
 * })
 */
export function etcdSource(options: EtcdConnectionOptions & EtcdSourceOptions): ConfigSource {
  const ref = clientRef(options, 'etcdSource')
  return createEtcdSource(ref, options, options.client === undefined)
}

/** The source over a given client; `closeAfterLoad` for a client created just for one load. @internal */
export function createEtcdSource(
  ref: ClientRef,
  options: EtcdSourceOptions,
  closeAfterLoad: boolean,
): ConfigSource {
  const { prefix, required = false, timeoutMs = 5_000 } = options
  const layout = keyLayout(prefix, 'etcdSource')
  const name = `etcd:${layout.root}`
  let last: SourceData | undefined

  return {
    name,
    async load() {
      let kvs: IRangeResponse
      try {
        const client = await ref.get()
        kvs = await client.kv.range(prefixRange(layout.root), callOptions(timeoutMs))
      } catch (error) {
        // A missing etcd3 is a set-up error: no later reload can cure it, so it must not pass for an outage.
        if (isMissingDependency(error)) throw error
        if (last !== undefined) return last
        if (!required) return { data: undefined, name }
        throw new ConfigError(
          issue('SOURCE_FAILED', '', `etcd could not be read: ${messageOf(error)}`, { source: layout.root }),
          { cause: error },
        )
      } finally {
        if (closeAfterLoad) await ref.close()
      }
      const { doc, issues } = etcdLayer(leavesOf(kvs.kvs, layout), layout)
      if (issues.length > 0) throw new ConfigError(issues)
      const leaves = new Set(kvs.kvs.map((kv) => kv.key.toString()))
      last = {
        data: doc,
        name,
        version: String(kvs.header.revision),
        origin: (path) => (leaves.has(layout.key(path)) ? `etcd:${layout.key(path)}` : undefined),
      }
      return last
    },
  }
}
