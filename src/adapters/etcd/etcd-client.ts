import type { Etcd3, IOptions } from 'etcd3'
import { importOptional } from '../../adapter-kit.ts'
import { ConfigError, issue } from '../../errors.ts'
import type { ConnectionRef } from '../shared-ref.ts'

/**
 * How the etcd parts reach etcd: an `Etcd3` client you own (you close it), or hosts to connect to (hotconf creates
 * the client on first use and closes it when the part is disposed or closed).
 */
export type EtcdConnectionOptions =
  | {
      /** A client you created and close yourself. Its own fault handling (retries, circuit breaker) applies. */
      readonly client: Etcd3
      readonly hosts?: never
    }
  | {
      /** etcd client URLs, e.g. `'http://127.0.0.1:2379'`. */
      readonly hosts: string | readonly string[]
      /** Extra `Etcd3` options (TLS credentials, auth) for the client hotconf creates. @default {} */
      readonly clientOptions?: Omit<IOptions, 'hosts'>
      readonly client?: never
    }

/**
 * A lazily created (or borrowed) client, shared by the parts of one `etcdCluster`: `get` rejects with
 * `MISSING_DEPENDENCY` when etcd3 is not installed (creating one does not connect); `close` closes the client only
 * if hotconf created it. @internal
 */
export type ClientRef = ConnectionRef<Etcd3>

/** Resolves the connection options into a client reference; throws `BAD_OPTIONS` when neither is given. @internal */
export function clientRef(options: EtcdConnectionOptions, owner: string): ClientRef {
  if (options.client !== undefined) {
    const borrowed = options.client
    return { get: async () => borrowed, close: async () => {} }
  }
  const hosts = options.hosts
  if (hosts === undefined || hosts.length === 0) {
    throw new ConfigError(
      issue('BAD_OPTIONS', '', `${owner} needs { client } or { hosts: 'http://host:2379' }`),
    )
  }
  let created: Promise<Etcd3> | undefined
  return {
    get() {
      created ??= importOptional(() => import('etcd3'), 'hotconf/etcd', ['etcd3']).then(
        ({ Etcd3 }) =>
          new Etcd3({
            // Our own retry loop (etcdSync) backs off; etcd3's default host circuit breaker would add up to
            // 5 s of refusal after an outage on top of it, so clients hotconf creates pass calls straight through.
            faultHandling: { host: () => passThroughPolicy },
            ...options.clientOptions,
            hosts: typeof hosts === 'string' ? hosts : [...hosts],
          }),
      )
      return created
    },
    async close() {
      const client = await created?.catch(() => undefined)
      created = undefined
      client?.close()
    },
  }
}

/** Per-call deadline so a hung connection fails a load or save instead of blocking the transaction. @internal */
export function callOptions(timeoutMs: number): EtcdCallOptions {
  return { deadline: Date.now() + timeoutMs }
}

// --- internal ---

type EtcdCallOptions = NonNullable<Parameters<Etcd3['kv']['range']>[1]>

type HostPolicy = ReturnType<NonNullable<NonNullable<IOptions['faultHandling']>['host']>>

// etcd3 only ever calls `execute` on a host policy; the events exist for cockatiel's own composition.
const passThroughPolicy = {
  execute: async <T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T) =>
    fn({ signal: new AbortController().signal }),
} as unknown as HostPolicy
