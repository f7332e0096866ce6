import type { StoreStats, UpdateResult } from './types.ts'

const WINDOW = 1024

/** Counters and a rolling window of transaction latencies. */
export class StoreCounters {
  commits = 0
  unchanged = 0
  rejected = 0
  rolledBack = 0
  reloads = 0
  observerErrors = 0
  /** Probations by how they went (see `ProbationTimer`). */
  readonly probation: Record<'started' | 'confirmed' | 'reverted', number> = {
    started: 0,
    confirmed: 0,
    reverted: 0,
  }
  readonly #latencies = new Float64Array(WINDOW)
  #count = 0

  record(status: UpdateResult['status'], durationMs: number, isReload: boolean): void {
    if (status === 'committed') this.commits++
    else if (status === 'unchanged') this.unchanged++
    else if (status === 'rejected') this.rejected++
    else this.rolledBack++
    if (isReload) this.reloads++
    this.#latencies[this.#count % WINDOW] = durationMs
    this.#count++
  }

  snapshot(): StoreStats {
    const n = Math.min(this.#count, WINDOW)
    const sorted = Array.from(this.#latencies.subarray(0, n)).sort((a, b) => a - b)
    const at = (q: number) => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.floor(q * n))]!)
    return {
      commits: this.commits,
      unchanged: this.unchanged,
      rejected: this.rejected,
      rolledBack: this.rolledBack,
      reloads: this.reloads,
      observerErrors: this.observerErrors,
      probation: { ...this.probation },
      latency: { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: n === 0 ? 0 : sorted[n - 1]!, count: n },
    }
  }
}
