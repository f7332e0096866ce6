import { CliFailure, EXIT } from '../exit.ts'
import type { ChangeLine, HistoryRecord } from './format.ts'

/**
 * The changes from revision `from` to revision `to`, composed from the commits between them: per path the value
 * before the first and after the last. Backwards (`from > to`) is the same diff with the sides swapped. When history
 * no longer holds every commit in between, the diff cannot be known: exit 1 saying so.
 */
export function composeChanges(history: readonly HistoryRecord[], from: number, to: number): ChangeLine[] {
  if (from > to)
    return composeChanges(history, to, from).map((c) => ({ path: c.path, from: c.to, to: c.from }))
  const commits = history
    .filter((h) => h.revision > from && h.revision <= to)
    .sort((a, b) => a.revision - b.revision)
  if (commits.length !== to - from) {
    const oldest = Math.min(...history.map((h) => h.revision))
    throw new CliFailure(
      EXIT.failed,
      `history holds revisions ${Number.isFinite(oldest) ? `#${oldest} and later` : 'none'}; it no longer reaches from #${from} to #${to}`,
    )
  }
  const byPath = new Map<string, { from: unknown; to: unknown }>()
  for (const change of commits.flatMap((c) => c.changes)) {
    const seen = byPath.get(change.path)
    byPath.set(change.path, { from: seen ? seen.from : change.from, to: change.to })
  }
  return [...byPath]
    .filter(([, c]) => JSON.stringify(c.from) !== JSON.stringify(c.to))
    .map(([path, c]) => ({ path, from: c.from, to: c.to }))
}
