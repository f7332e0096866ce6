import type { PersistedOverrides } from '../types.ts'

/* What a shared backend keeps beside the leaves of the overrides (etcd in its metadata key, PostgreSQL in the
   service's row): the deadlines of expiring overrides and the changes on probation, written in the same
   transaction as the leaves they concern. */

/** The deadlines and probations of a document, as a backend stores them beside its leaves. */
export type OverridesMeta = Pick<PersistedOverrides, 'expiries' | 'probation'>

/** The deadlines and probations of `doc`; `undefined` when it has neither (nothing to store). */
export function metaOf(doc: PersistedOverrides): OverridesMeta | undefined {
  const { expiries, probation } = doc
  if (!expiries && !probation) return undefined
  return { ...(expiries ? { expiries } : {}), ...(probation ? { probation } : {}) }
}

/** The deadlines and probations a backend stored; a malformed one (another writer's garbage) is ignored, not trusted. */
export function readMeta(stored: {
  readonly expiries?: unknown
  readonly probation?: unknown
}): OverridesMeta {
  return {
    ...(validExpiries(stored.expiries) ? { expiries: stored.expiries } : {}),
    ...(validProbation(stored.probation) ? { probation: stored.probation } : {}),
  }
}

// --- internal ---

function validExpiries(value: unknown): value is NonNullable<PersistedOverrides['expiries']> {
  if (!isRecord(value)) return false
  return Object.values(value).every(
    (e) =>
      isRecord(e) &&
      typeof e.at === 'string' &&
      !Number.isNaN(Date.parse(e.at)) &&
      Number.isSafeInteger(e.revision),
  )
}

function validProbation(value: unknown): value is NonNullable<PersistedOverrides['probation']> {
  if (!isRecord(value)) return false
  return Object.entries(value).every(
    ([key, p]) =>
      Number.isSafeInteger(Number(key)) &&
      isRecord(p) &&
      typeof p.source === 'string' &&
      !Number.isNaN(Date.parse(String(p.until))) &&
      Array.isArray(p.changes),
  )
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
