import type * as Prom from 'prom-client'
import type { ConfigStore, StoreStats } from '../../types.ts'
import { fail } from './problem.ts'

/** The store's Prometheus metrics, in a registry of their own (never prom-client's global one). */
export interface AdminMetrics {
  /** The exposition text and its content type; 501 when `prom-client` is not installed. */
  render(): Promise<{ readonly contentType: string; readonly body: string }>
}

/** What the metrics read of the store: a narrow view, so this module needs nothing of the admin app's. */
export type MeteredStore = Pick<ConfigStore<unknown>, 'stats' | 'events$' | 'revision' | 'snapshots'>

/**
 * Counters mirror `store.stats()` (so they count from the store's start, like `/status`); the latency histogram
 * observes every transaction outcome from `events$` from now on. `prom-client` is loaded lazily, here only.
 * Metric names carry no values and no labels but the outcome, so no secret can reach them.
 */
export function createMetrics(store: MeteredStore, prefix: string): AdminMetrics {
  let stats: StoreStats = store.stats()
  const ready = import('prom-client').then((prom) => build(prom, store, prefix, () => stats))
  ready.catch(() => {})
  // Observations queue behind the import, so none is lost while prom-client loads.
  store.events$.subscribe((e) => {
    if (e.type === 'transaction' && OUTCOMES.has(e.phase) && e.durationMs !== undefined) {
      const seconds = e.durationMs / 1000
      ready.then((m) => m.latency.observe({ status: e.phase }, seconds)).catch(() => {})
    }
  })
  return {
    async render() {
      const m = await ready.catch(() =>
        fail(501, 'NOT_IMPLEMENTED', 'GET /metrics needs the prom-client package: npm install prom-client'),
      )
      stats = store.stats()
      return { contentType: m.registry.contentType, body: await m.registry.metrics() }
    },
  }
}

// --- internal ---

const OUTCOMES: ReadonlySet<string> = new Set(['committed', 'unchanged', 'rejected', 'rolledBack'])
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

function build(prom: typeof Prom, store: MeteredStore, prefix: string, stats: () => StoreStats) {
  const registry = new prom.Registry()
  const registers = [registry]
  const total = (name: string, help: string, read: (s: StoreStats) => number) =>
    new prom.Counter({
      name: `${prefix}${name}_total`,
      help,
      registers,
      collect() {
        this.reset()
        this.inc(read(stats()))
      },
    })
  total('commits', 'Committed transactions.', (s) => s.commits)
  total('rejected', 'Transactions rejected by validation.', (s) => s.rejected)
  total('rolled_back', 'Transactions rolled back by a participant or a failed write.', (s) => s.rolledBack)
  total('reloads', 'Reloads of the sources, whatever their outcome.', (s) => s.reloads)
  new prom.Gauge({
    name: `${prefix}revision`,
    help: 'The live config revision.',
    registers,
    collect() {
      this.set(store.revision)
    },
  })
  new prom.Gauge({
    name: `${prefix}snapshots`,
    help: 'Pinned snapshots.',
    registers,
    collect() {
      this.set(store.snapshots().length)
    },
  })
  const latency = new prom.Histogram({
    name: `${prefix}update_duration_seconds`,
    help: 'Transaction latency, by outcome.',
    labelNames: ['status'] as const,
    buckets: BUCKETS,
    registers,
  })
  return { registry, latency }
}
