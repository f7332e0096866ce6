/** The figures of one measured quantity: the median of its rounds, their spread, and every raw sample. */
export interface Summary {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly samples: readonly number[]
}

/** Median, min and max of per-round samples (the raw samples are kept for results/latest.json). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('summarize: no samples')
  const sorted = [...samples].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, samples }
}

/**
 * Round-by-round ratios `a[i] / b[i]`: both figures of a ratio come from the same round, so a noisy neighbour that
 * slows one round slows both sides of it.
 */
export function perRound(a: readonly number[], b: readonly number[], op = (x: number, y: number) => x / y) {
  if (a.length !== b.length) throw new Error(`perRound: ${a.length} rounds against ${b.length}`)
  return a.map((x, i) => op(x, b[i]!))
}

/** The median of plain numbers (e.g. the saves of one round). */
export function median(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : summarize(values).median
}

/** Scales every sample (e.g. ms per op → ns per op, or per-op time → ops per second). */
export function mapSummary(s: Summary, f: (x: number) => number): Summary {
  return summarize(s.samples.map(f))
}

/** Three to four significant digits, like the baseline: 1.84, 40.55, 256.0, 1027. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x)
  const abs = Math.abs(x)
  if (abs >= 1000) return Math.round(x).toLocaleString('en')
  if (abs >= 100) return x.toFixed(1)
  if (abs >= 1) return x.toFixed(2)
  if (abs === 0) return '0'
  return x.toPrecision(3)
}

/**
 * A figure at the resolution it was measured with: `< 1` below it (a 0 would claim a precision the tool does not
 * have), otherwise rounded to it (1.00 ms from a whole-millisecond histogram is `1`). Without one, `fmt`.
 */
export function fmtAt(x: number, resolution?: number): string {
  if (resolution === undefined) return fmt(x)
  const digits = Math.max(0, -Math.floor(Math.log10(resolution)))
  const at = (n: number) =>
    n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits })
  return x < resolution ? `< ${at(resolution)}` : at(Math.round(x / resolution) * resolution)
}

/** `**median** (min–max)`; a spread that is all below the resolution is the one figure `**< r**`. */
export function fmtSummary(s: Summary, resolution?: number): string {
  if (resolution !== undefined && s.max < resolution) return `**${fmtAt(s.max, resolution)}**`
  return `**${fmtAt(s.median, resolution)}** (${fmtAt(s.min, resolution)}–${fmtAt(s.max, resolution)})`
}
