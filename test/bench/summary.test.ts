import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { summarize } from '../../bench/stats.ts'
import { renderSummary } from '../../bench/summary.ts'
import { figure, type Row, renderTable } from '../../bench/table.ts'

const latest = JSON.parse(
  readFileSync(new URL('../../bench/results/latest.json', import.meta.url), 'utf8'),
) as {
  measures: Record<string, { status: string; rows?: Row[] }>
}
const rows = Object.values(latest.measures).flatMap((m) => m.rows ?? [])
const readme = readFileSync(new URL('../../bench/README.md', import.meta.url), 'utf8')

describe('bench summary', () => {
  it('gives one line per measure with hotconf, the best peer, the ratio and the targets when rendered from latest.json', () => {
    const lines = tableLines(renderSummary(rows))
    // latest.json holds the measures of its run: measure 9 (#23) is in it from the first full run that had it.
    const ids = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].filter((id) =>
      rows.some((r) => String(r.id) === id),
    )
    expect(ids.slice(0, 8)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8'])
    expect(lines.map((cells) => cells[0])).toEqual(ids)
    const [read, , , , heap, , http, start, reload] = lines
    expect(read?.[3]).toMatch(/^node-config `config\.db\.pool\.max` \(Proxy\): \*\*[\d.]+\*\* ns\/op$/)
    expect(read?.[4]).toMatch(/^\*\*[\d.]+×\*\* faster$/)
    expect(read?.[5]).toMatch(/`get` ≤ 3× frozen: (met|\*\*missed\*\*) \([\d.]+\)/)
    expect(heap?.[3]).toBe('none: keeps no history of past configs')
    expect(http?.[3]).toBe('none: no HTTP admin API')
    expect(start?.[4]).toMatch(/slower$/)
    // Before issue 23, measure 8 had no target; since, it is a ready store over its own process's `import 'zod'`.
    expect(start?.[5]).toMatch(
      /^(none \(report only\)|ready store ≤ its `import 'zod'` \+ 50 ms: (met|\*\*missed\*\*) \([\d.]+\))$/,
    )
    if (reload) {
      expect(reload[3]).toBe('no peer measured')
      expect(reload[5]).toMatch(/^10,000 keys ≤ 1\.5× 100 keys: (met|\*\*missed\*\*) \([\d.]+\)$/)
    }
  })

  it('shows a figure below the resolution it was measured at as `< 1`, never as 0 (0–0), when a tool counts in steps', () => {
    const p99 = (samples: number[]): Row => ({
      id: 7,
      label: 'p99',
      value: figure(summarize(samples), 'ms', 1),
    })
    const table = renderTable([p99([0, 0, 0, 0, 0]), p99([1, 1, 1, 2, 1])])
    expect(table).toContain('| **< 1** ms |')
    expect(table).toContain('| **1** (1–2) ms |')
    expect(table).not.toMatch(/\b0 \(0–0\)|1\.00/)
  })

  it('keeps bench/README.md in the generated form: the summary first, no sub-resolution figure', () => {
    const summaryAt = readme.indexOf('<!-- bench:summary:start -->')
    expect(summaryAt).toBeGreaterThan(0)
    expect(summaryAt).toBeLessThan(readme.indexOf('```sh'))
    expect(summaryAt).toBeLessThan(readme.indexOf('<!-- bench:results:start -->'))
    const block = readme.slice(summaryAt, readme.indexOf('<!-- bench:summary:end -->'))
    expect(tableLines(block)).toEqual(tableLines(renderSummary(rows)))
    expect(readme).not.toMatch(/\*\*0\*\* \(0–0\)/)
  })
})

// --- internal ---

/** The body rows of the markdown table in `text`, as trimmed cells (alignment padding ignored). */
function tableLines(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[\s-|]+\|$/.test(line))
    .slice(1)
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    )
}
