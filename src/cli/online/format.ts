import { type CliIo, paint } from '../io.ts'

/** One changed leaf, as the API reports it (secrets already redacted). */
export interface ChangeLine {
  readonly path: string
  readonly from: unknown
  readonly to: unknown
}

/** `path: old → new`, old in red and new in green on a terminal; an absent side reads `(none)`. */
export function changeLines(io: CliIo, changes: readonly ChangeLine[], indent = ''): string[] {
  return changes.map(
    (c) =>
      `${indent}${c.path}: ${paint(io, 'red', valueText(c.from))} → ${paint(io, 'green', valueText(c.to))}`,
  )
}

/** A value in one line: JSON, `(none)` for absent. */
export function valueText(value: unknown): string {
  return value === undefined ? '(none)' : JSON.stringify(value)
}

/** A value for people: strings bare, everything else as indented JSON. */
export function showValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2)
}

/** A history entry (or event record) as the API sends it. */
export interface HistoryRecord {
  readonly revision: number
  readonly at?: string
  readonly status?: string
  readonly actor?: string
  readonly source?: string
  readonly reason?: string
  readonly changes: readonly ChangeLine[]
}

/** One history or event record as a heading line: revision, time, status, who, door and why. */
export function recordHeading(io: CliIo, record: HistoryRecord): string {
  const parts = [
    paint(io, 'bold', `#${record.revision}`),
    record.at ?? '',
    record.status ?? '',
    record.actor ? `by ${record.actor}` : '',
    record.source ? `via ${record.source}` : '',
    record.reason ? `"${record.reason}"` : '',
  ]
  return parts.filter((p) => p !== '').join('  ')
}

/** What a write answered: `committed #13 (undo: hotconf rollback 12)` and the diff, or `unchanged at #12`. */
export function writeSummary(
  io: CliIo,
  reply: {
    readonly status?: string
    readonly revision?: number
    readonly rollbackTo?: number
    readonly changes?: readonly ChangeLine[]
    readonly pendingRestart?: readonly { readonly path: string }[]
  },
): string[] {
  if (reply.status === 'unchanged') return [`unchanged at #${reply.revision}`]
  const undo = reply.rollbackTo === undefined ? '' : ` (undo: hotconf rollback ${reply.rollbackTo})`
  const restart = (reply.pendingRestart ?? []).map((p) => `  ${p.path}: waits for a restart`)
  return [
    `${reply.status ?? 'done'} #${reply.revision}${undo}`,
    ...changeLines(io, reply.changes ?? [], '  '),
    ...restart,
  ]
}
