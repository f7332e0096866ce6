import type { Watcher } from 'etcd3'
import type { Adapter } from '../../types.ts'
import { reconnectingWatch } from '../reconnecting-watch.ts'
import { type ClientRef, callOptions, clientRef, type EtcdConnectionOptions } from './etcd-client.ts'
import { keyLayout } from './key-layout.ts'

/** Options of `etcdSync`. */
export interface EtcdSyncOptions {
  /** The prefix (or prefixes) to watch: those of your `etcdSource` and `etcdOverrides`. */
  readonly prefix: string | readonly string[]
  /** Reconnect delays: doubled after each failed attempt up to `maxMs`, with jitter. @default { initialMs: 100, maxMs: 5000 } */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number }
  /** How long one connection attempt may take. @default 5000 */
  readonly timeoutMs?: number
  /** The adapter's name in `status().adapters` and the `source` of its reloads. @default 'etcd' */
  readonly name?: string
}

/**
 * Keeps an instance in step with etcd: watches the prefixes and reloads the store (`source: 'etcd'`) on every
 * change, so an update committed through any instance reaches all of them. Bursts coalesce: while a reload runs,
 * further changes queue exactly one more.
 *
 * When etcd is lost, the store keeps serving its last committed config, the adapter reports `failed` (see
 * `status().adapters`) and retries with capped exponential backoff; once etcd answers, it reports `running` and
 * reloads once to catch up on everything it missed. The same catch-up runs when it first connects, so a layer
 * that etcd could not give at start arrives then.
 *
 * Given `hosts`, it creates its own client and closes it on dispose; a `client` you pass stays open.
 *
 * @example
 * const store = await createConfigStore({
 *   schema,
 *   overrides: { backend: etcdOverrides({ hosts, prefix: 'orders/overrides' }) },
 *   adapters: [etcdSync({ hosts, prefix: 'orders/overrides' })],
 * })
 */
export function etcdSync<TConfig = unknown>(
  options: EtcdConnectionOptions & EtcdSyncOptions,
): Adapter<TConfig> {
  return createEtcdSync(clientRef(options, 'etcdSync'), options)
}

/**
 * The adapter over a given client reference, closed on dispose. `isOwnWrite` recognises revisions this store's own
 * backend wrote: the store already holds those changes, so their echo needs no reload. @internal
 */
export function createEtcdSync<TConfig>(
  ref: ClientRef,
  options: EtcdSyncOptions,
  isOwnWrite: (revision: string) => boolean = () => false,
): Adapter<TConfig> {
  const { backoff = {}, timeoutMs = 5_000, name = 'etcd' } = options
  const { initialMs = 100, maxMs = 5_000 } = backoff
  const roots = (typeof options.prefix === 'string' ? [options.prefix] : options.prefix).map(
    (prefix) => keyLayout(prefix, 'etcdSync').root,
  )
  return reconnectingWatch(name, ref, {
    source: 'etcd',
    initialMs,
    maxMs,
    async open(changed, lost) {
      const client = await ref.get()
      // A read fails fast while etcd is down, where a new watch would only wait for it.
      await client.kv.range({ key: Buffer.from(roots[0]!), count_only: true }, callOptions(timeoutMs))
      const watchers = roots.map((root) => client.watch().prefix(root).watcher())
      for (const watcher of watchers) {
        watcher.on('data', (res) => {
          const news = res.events.filter((event) => !isOwnWrite(event.kv.mod_revision))
          if (news.length > 0) changed(`etcd: ${news.length} change(s) at revision ${res.header.revision}`)
        })
        watcher.on('disconnected', lost)
        watcher.on('error', lost)
      }
      try {
        await Promise.all(watchers.map((watcher) => connected(watcher, timeoutMs)))
      } catch (error) {
        await dropWatchers(watchers, timeoutMs)
        throw error
      }
      return { close: () => dropWatchers(watchers, timeoutMs) }
    },
  })
}

// --- internal ---

/** Resolves once etcd confirms the watch; rejects on a disconnect, an error or the timeout. */
function connected(watcher: Watcher, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`etcd watch not confirmed within ${timeoutMs} ms`)),
      timeoutMs,
    )
    const settle = (error?: unknown) => {
      clearTimeout(timer)
      watcher.off('connected', onConnected).off('disconnected', settle).off('error', settle)
      if (error === undefined) resolve()
      else reject(error)
    }
    const onConnected = () => settle()
    watcher.once('connected', onConnected).once('disconnected', settle).once('error', settle)
  })
}

/** Cancels watchers without ever hanging: a cancel waits for etcd, which may be gone. */
async function dropWatchers(watchers: readonly Watcher[], timeoutMs: number): Promise<void> {
  await Promise.all(
    watchers.map((watcher) => {
      watcher.removeAllListeners('data')
      return Promise.race([
        watcher.cancel().catch(() => {}),
        new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
      ])
    }),
  )
}
