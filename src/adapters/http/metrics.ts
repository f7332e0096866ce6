import type * as Prom from 'prom-client'
import { importOptional, isMissingDependency } from '../../adapter-kit.ts'
import type { ConfigStore, StoreEvent } from '../../types.ts'
import { configHash } from './config-hash.ts'
import { fail } from './problem.ts'

/** The store's Prometheus metrics, in a registry of their own (never the client's global one). */
export interface AdminMetrics {
  /** The exposition text and its content type; 501 when neither Prometheus client is installed. */
  render(): Promise<{ readonly contentType: string; readonly body: string }>
}

/** What the metrics read of the store: a narrow view, so this module needs nothing of the admin app's. */
export type MeteredStore = Pick<
  ConfigStore<unknown>,
  'stats' | 'events$' | 'revision' | 'snapshots' | 'status' | 'redact' | 'current'
>

/**
 * The metrics of a store under a prefix: one set per store and prefix, shared by every admin app over it, whose one
 * subscription to `events$` ends when the store closes (an app made per request or per test adds nothing).
 * Counters mirror `store.stats()` and gauges read `status()` when scraped; the latency histogram and the reload
 * gauges follow the outcomes on `events$` from the first app on. The client, `@prometheus-io/client` or else
 * `prom-client`, is loaded lazily, here only. Metrics carry no config value and no label but the outcome, the
 * adapter name and a hash of the redacted config, so no secret can reach them.
 */
export function createMetrics(store: MeteredStore, prefix: string): AdminMetrics {
  const byPrefix = shared.get(store) ?? new Map<string, AdminMetrics>()
  shared.set(store, byPrefix)
  let metrics = byPrefix.get(prefix)
  if (metrics === undefined) {
    metrics = storeMetrics(store, prefix)
    byPrefix.set(prefix, metrics)
  }
  return metrics
}

// --- internal ---

/** What hotconf uses of a client; both have prom-client's API (`@prometheus-io/client` is its successor). */
type PromClient = Pick<typeof Prom, 'Registry' | 'Counter' | 'Gauge' | 'Histogram'>

const shared = new WeakMap<MeteredStore, Map<string, AdminMetrics>>()
const OUTCOMES: ReadonlySet<string> = new Set(['committed', 'unchanged', 'rejected', 'rolledBack'])
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

/** What the reload gauges show: the start counts as the first successful load. */
interface Reloads {
  successful: boolean
  lastSuccessSeconds: number
}

function storeMetrics(store: MeteredStore, prefix: string): AdminMetrics {
  const reloads: Reloads = { successful: true, lastSuccessSeconds: Date.now() / 1000 }
  const ready = loadClient().then((prom) => build(prom, store, prefix, reloads))
  ready.catch(() => {})
  // Observations queue behind the import, so none is lost while the client loads.
  store.events$.subscribe((e) => {
    if (!isOutcome(e)) return
    if (e.intent === 'reload') {
      reloads.successful = e.phase === 'committed' || e.phase === 'unchanged'
      if (reloads.successful) reloads.lastSuccessSeconds = e.at.getTime() / 1000
    }
    const seconds = e.durationMs / 1000
    ready.then((m) => m.latency.observe({ status: e.phase }, seconds)).catch(() => {})
  })
  return {
    async render() {
      const m = await ready
      return { contentType: m.registry.contentType, body: await m.registry.metrics() }
    },
  }
}

function isOutcome(
  e: StoreEvent,
): e is Extract<StoreEvent, { type: 'transaction' }> & { readonly durationMs: number } {
  return e.type === 'transaction' && OUTCOMES.has(e.phase) && e.durationMs !== undefined
}

/** `@prometheus-io/client` (the Prometheus org's, Node >= 22), else `prom-client`, else 501. */
async function loadClient(): Promise<PromClient> {
  const candidates: readonly [string, () => Promise<PromClient>][] = [
    // Typed as prom-client: the API hotconf uses is the same; the declarations differ in registry merging only.
    ['@prometheus-io/client', async () => (await import('@prometheus-io/client')) as unknown as PromClient],
    ['prom-client', () => import('prom-client')],
  ]
  for (const [name, load] of candidates) {
    try {
      return await importOptional(load, 'GET /metrics', [name])
    } catch (error) {
      if (!isMissingDependency(error)) throw error
    }
  }
  return fail(
    501,
    'NOT_IMPLEMENTED',
    'GET /metrics needs a Prometheus client: npm install prom-client (or @prometheus-io/client on Node >= 22)',
  )
}

function build(prom: PromClient, store: MeteredStore, prefix: string, reloads: Reloads) {
  const registry = new prom.Registry()
  const registers = [registry]
  const gauge = (name: string, help: string, read: () => number) =>
    new prom.Gauge({
      name: `${prefix}${name}`,
      help,
      registers,
      collect() {
        this.set(read())
      },
    })
  const total = (name: string, help: string, read: (s: ReturnType<MeteredStore['stats']>) => number) =>
    new prom.Counter({
      name: `${prefix}${name}_total`,
      help,
      registers,
      collect() {
        this.reset()
        this.inc(read(store.stats()))
      },
    })
  total('commits', 'Committed transactions.', (s) => s.commits)
  total('rejected', 'Transactions rejected by validation.', (s) => s.rejected)
  total('rolled_back', 'Transactions rolled back by a participant or a failed write.', (s) => s.rolledBack)
  total('reloads', 'Reloads of the sources, whatever their outcome.', (s) => s.reloads)
  total(
    'probation_reverts',
    'Changes on probation reverted, by a failed check or by hand.',
    (s) => s.probation.reverted,
  )
  total('probation_confirmed', 'Changes on probation confirmed.', (s) => s.probation.confirmed)
  gauge('on_probation', 'Committed changes still on probation.', () => store.status().probation.length)
  gauge('config_revision', 'The live config revision.', () => store.revision)
  gauge('snapshots', 'Pinned snapshots.', () => store.snapshots().length)
  gauge(
    'pending_restart',
    'Keys whose new value waits for a restart.',
    () => store.status().pendingRestart.length,
  )
  gauge(
    'last_reload_successful',
    'Whether the last reload of the sources committed or found nothing new.',
    () => (reloads.successful ? 1 : 0),
  )
  gauge(
    'last_reload_success_timestamp_seconds',
    'When the sources last loaded successfully (the start counts).',
    () => reloads.lastSuccessSeconds,
  )
  adapterGauges(prom, store, prefix, registers)
  const latency = new prom.Histogram({
    name: `${prefix}update_duration_seconds`,
    help: 'Transaction latency, by outcome.',
    labelNames: ['status'] as const,
    buckets: BUCKETS,
    registers,
  })
  return { registry, latency }
}

/** `adapter_up{adapter}` and `config_info{hash}`: labelled gauges rebuilt from the store on each scrape. */
function adapterGauges(
  prom: PromClient,
  store: MeteredStore,
  prefix: string,
  registers: Prom.Registry[],
): void {
  new prom.Gauge({
    name: `${prefix}adapter_up`,
    help: 'Whether each adapter is running (1) or starting, failed or stopped (0).',
    labelNames: ['adapter'] as const,
    registers,
    collect() {
      this.reset()
      for (const a of store.status().adapters) this.set({ adapter: a.name }, a.state === 'running' ? 1 : 0)
    },
  })
  new prom.Gauge({
    name: `${prefix}config_info`,
    help: 'Always 1; the hash of the live config (secrets redacted) tells instances apart.',
    labelNames: ['hash'] as const,
    registers,
    collect() {
      this.reset()
      this.set({ hash: configHash(store) }, 1)
    },
  })
}
