import type { Watcher } from 'etcd3'
import type { Adapter, AdapterContext, AdapterHandle } from '../../types.ts'
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
  return {
    name,
    async start(ctx) {
      // Creating the client does not connect; it fails the start when etcd3 is not installed.
      await ref.get()
      return startSync(ctx, { ref, roots, initialMs, maxMs, timeoutMs, isOwnWrite })
    },
  }
}

// --- internal ---

interface SyncPlan {
  readonly ref: ClientRef
  readonly roots: readonly string[]
  readonly initialMs: number
  readonly maxMs: number
  readonly timeoutMs: number
  readonly isOwnWrite: (revision: string) => boolean
}

function startSync<TConfig>(ctx: AdapterContext<TConfig>, plan: SyncPlan): AdapterHandle {
  const { ref, roots, initialMs, maxMs, timeoutMs, isOwnWrite } = plan
  let watchers: Watcher[] = []
  // Each connection attempt gets a generation; events from an older one are ignored.
  let generation = 0
  let failures = 0
  let failed = false
  let timer: NodeJS.Timeout | undefined
  let reloading = false
  let queued: string | undefined

  const reload = (reason: string): void => {
    if (ctx.signal.aborted) return
    if (reloading) {
      queued = reason
      return
    }
    reloading = true
    ctx
      .reload({ source: 'etcd', reason })
      .catch((error: unknown) => ctx.logger.error('reload failed', { error: String(error) }))
      .finally(() => {
        reloading = false
        const next = queued
        queued = undefined
        if (next !== undefined) reload(next)
      })
  }

  const fail = (attempt: number, error: unknown): void => {
    if (attempt !== generation || ctx.signal.aborted) return
    generation++
    void dropWatchers(watchers, timeoutMs)
    watchers = []
    if (!failed) ctx.setState('failed', error)
    failed = true
    const delay = Math.min(maxMs, initialMs * 2 ** failures++)
    timer = setTimeout(connect, delay / 2 + (Math.random() * delay) / 2)
  }

  async function connect(): Promise<void> {
    timer = undefined
    if (ctx.signal.aborted) return
    const attempt = ++generation
    try {
      const client = await ref.get()
      // A read fails fast while etcd is down, where a new watch would only wait for it.
      await client.kv.range({ key: Buffer.from(roots[0]!), count_only: true }, callOptions(timeoutMs))
      if (attempt !== generation) return
      const next = roots.map((root) => client.watch().prefix(root).watcher())
      watchers = next
      for (const watcher of next) {
        watcher.on('data', (res) => {
          const news = res.events.filter((event) => !isOwnWrite(event.kv.mod_revision))
          if (attempt !== generation || news.length === 0) return
          reload(`etcd: ${news.length} change(s) at revision ${res.header.revision}`)
        })
        watcher.on('disconnected', (error) => fail(attempt, error))
        watcher.on('error', (error) => fail(attempt, error))
      }
      await Promise.all(next.map((watcher) => connected(watcher, timeoutMs)))
    } catch (error) {
      fail(attempt, error)
      return
    }
    // Disposed (or failed) while confirming: `dispose`/`fail` already dropped these watchers.
    if (attempt !== generation) return
    failures = 0
    if (failed) ctx.setState('running')
    reload(failed ? 'etcd is back: catching up' : 'etcd watch started: catching up')
    failed = false
  }

  // Deferred so the store's own `running` for a started adapter comes first, and a quick failure is not overwritten.
  setImmediate(connect)

  return {
    async dispose() {
      generation++
      clearTimeout(timer)
      await dropWatchers(watchers, timeoutMs)
      watchers = []
      await ref.close()
    },
  }
}

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
