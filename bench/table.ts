import { fmt, fmtAt, fmtSummary, type Summary } from './stats.ts'

/** A target of the issue and whether the median of this run met it. */
export interface Verdict {
  /** As the issue states it, e.g. `≤ 1.1× frozen`. */
  readonly text: string
  readonly met: boolean
  /** How far off a missed target is, e.g. `4.2× over`. */
  readonly by?: string
}

/** A measured figure; `resolution` is the tool's smallest step (e.g. 1 for autocannon's whole milliseconds). */
export interface Figure {
  readonly summary: Summary
  readonly unit: string
  readonly resolution?: number
}

/** One line of the results table. */
export interface Row {
  /** The measure's number in issue 8. */
  readonly id: number
  readonly label: string
  /** A figure, or why this contender cannot be measured here (`n/a: …`). */
  readonly value: Figure | { readonly na: string }
  /** A ratio whose two sides were measured in the same round. */
  readonly ratio?: { readonly label: string; readonly summary: Summary }
  readonly target?: Verdict
  readonly note?: string
}

/** `target: median ≤ limit`; a miss says how many times over the limit the median is. */
export function atMost(text: string, s: Summary, limit: number): Verdict {
  const met = s.median <= limit
  return met ? { text, met } : { text, met, by: `${fmt(s.median / limit)}× over` }
}

/** `target: median ≥ limit`; a miss says what share of the limit the median reached. */
export function atLeast(text: string, s: Summary, limit: number): Verdict {
  const met = s.median >= limit
  return met ? { text, met } : { text, met, by: `${fmt((100 * s.median) / limit)}% of it` }
}

/** A figure cell value; give `resolution` when the tool measures in steps (figures below it show as `< step`). */
export function figure(summary: Summary, unit: string, resolution?: number): Row['value'] {
  return resolution === undefined ? { summary, unit } : { summary, unit, resolution }
}

/** A cell's figure, `**median** (min–max) unit`, or why there is none. */
export function fmtValue(value: Row['value']): string {
  return 'na' in value ? value.na : `${fmtSummary(value.summary, value.resolution)} ${value.unit}`
}

/** A cell's median alone, `**median** unit`, or why there is none. */
export function fmtMedian(value: Row['value']): string {
  return 'na' in value ? value.na : `**${fmtAt(value.summary.median, value.resolution)}** ${value.unit}`
}

/** The cell of a contender that cannot take part. */
export function na(why: string): Row['value'] {
  return { na: why.startsWith('n/a') ? why : `n/a: ${why}` }
}

/** The whole results table as markdown. */
export function renderTable(rows: readonly Row[]): string {
  const lines = [
    '| # | measure | median (min–max) | ratio, same rounds: median (min–max) | target | verdict |',
    '|---|---|---|---|---|---|',
  ]
  for (const row of rows) {
    const value = fmtValue(row.value)
    const ratio = row.ratio ? `${row.ratio.label} ${fmtSummary(row.ratio.summary)}` : ''
    const verdict = !row.target ? '' : row.target.met ? 'met' : `**missed** (${row.target.by})`
    const label = row.note ? `${row.label} <br><sub>${row.note}</sub>` : row.label
    lines.push(
      `| ${row.id} | ${cell(label)} | ${cell(value)} | ${cell(ratio)} | ${cell(row.target?.text ?? '')} | ${verdict} |`,
    )
  }
  return lines.join('\n')
}

// --- internal ---

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ')
}
