import { isPlainObject as isRecord } from './tree/paths.ts'
import type { Change, PendingProbation, PersistedProbation } from './types.ts'

/* Changes on probation: what each one changed (to revert it), until when, and how the records are persisted. Pure:
   the checks that end a probation run in `store/probation-timer.ts`, the transactions that end one in
   `machines/probation-step.ts`. */

/** One committed change on probation. `until` is wall-clock epoch milliseconds: what is persisted and shown. */
export interface Probation {
  readonly revision: number
  readonly until: number
  readonly source: string
  readonly actor?: string
  /** What the change changed, with real values: a revert puts `from` back where `to` still holds. */
  readonly changes: readonly Change[]
}

/** Changes on probation by their revision (a decimal string: the key the record is persisted under). */
export type Probations = Readonly<Record<string, Probation>>

const NO_PROBATION: Probations = Object.freeze({})

/** The records with `revision`'s removed; the same object when it is not there. */
export function withoutProbation(probations: Probations, revision: number): Probations {
  if (!(String(revision) in probations)) return probations
  const { [String(revision)]: _ended, ...rest } = probations
  return Object.freeze(rest)
}

/** The changes on probation as `status().probation` lists them: oldest first, paths only (values may be secret). */
export function pendingProbation(probations: Probations): PendingProbation[] {
  return Object.values(probations)
    .sort((a, b) => a.revision - b.revision)
    .map((p) => ({
      revision: p.revision,
      until: new Date(p.until),
      source: p.source,
      ...(p.actor === undefined ? {} : { actor: p.actor }),
      paths: p.changes.map((c) => c.path),
    }))
}

/** The records as a backend stores them; `undefined` when there are none (the document stays as before). */
export function persistProbation(probations: Probations): Record<string, PersistedProbation> | undefined {
  const entries = Object.entries(probations)
  if (entries.length === 0) return undefined
  return Object.fromEntries(
    entries.map(([key, p]) => [
      key,
      {
        until: new Date(p.until).toISOString(),
        source: p.source,
        ...(p.actor === undefined ? {} : { actor: p.actor }),
        changes: p.changes.map((c) => ({ path: c.path, from: c.from, to: c.to })),
      },
    ]),
  )
}

/** The records a backend stored. Throws on a malformed one (the backend treats its document as corrupt). */
export function readProbation(stored: unknown): Probations {
  if (stored === undefined) return NO_PROBATION
  if (!isRecord(stored)) throw new Error('"probation" must be an object')
  const out: Record<string, Probation> = {}
  for (const [key, raw] of Object.entries(stored)) {
    const revision = Number(key)
    const until = isRecord(raw) && typeof raw.until === 'string' ? Date.parse(raw.until) : Number.NaN
    const changes = isRecord(raw) && Array.isArray(raw.changes) ? raw.changes : undefined
    if (
      !Number.isSafeInteger(revision) ||
      !isRecord(raw) ||
      Number.isNaN(until) ||
      typeof raw.source !== 'string' ||
      !changes?.every((c) => isRecord(c) && typeof c.path === 'string')
    )
      throw new Error(
        `"probation.${key}" must be { until: an ISO date, source: a string, changes: [{ path, from, to }] } under its revision`,
      )
    out[key] = {
      revision,
      until,
      source: raw.source,
      ...(typeof raw.actor === 'string' ? { actor: raw.actor } : {}),
      changes: (changes as Record<string, unknown>[]).map((c) => ({
        path: c.path as string,
        from: c.from,
        to: c.to,
      })),
    }
  }
  return Object.freeze(out)
}
