import { overlaps } from './tree/paths.ts'
import type { PendingExpiry, PersistedExpiry } from './types.ts'

/* The deadlines of expiring overrides: which override expires when, how a write changes them, and how they are
   persisted. Pure: the timer that acts on them is `store/expiry-timer.ts`. */

/** One override's deadline. `at` is wall-clock epoch milliseconds: what is persisted and shown. */
export interface Expiry {
  readonly at: number
  /** The revision whose write set the deadline: an expiry resets the override only while it is still this one. */
  readonly revision: number
  readonly actor?: string
}

/**
 * Deadlines by the dotted path of the override they end. A map, never changed once made: a transaction that drops
 * or adds a few of many copies it in one native step, where a plain object of as many keys is rebuilt key by key.
 */
export type Expiries = ReadonlyMap<string, Expiry>

/** One deadline an expiry transaction was started for. */
export interface ExpiryRef {
  readonly path: string
  readonly revision: number
}

/** What a write with `ttlMs` asks for: its deadline, taken when it was submitted. */
export interface ExpiryStamp {
  readonly at: number
  readonly actor?: string
}

export const NO_EXPIRIES: Expiries = new Map()

/**
 * The deadlines after a transaction wrote the overrides at `written`: those at, above or below a written path are
 * dropped (the later write wins), and with a `stamp` each written path gets the new deadline. Keeps the identity
 * when nothing changes.
 */
export function nextExpiries(
  expiries: Expiries,
  written: readonly string[],
  revision: number,
  stamp?: ExpiryStamp,
): Expiries {
  const touched = touches(written)
  const dropped: string[] = []
  for (const path of expiries.keys()) if (touched(path)) dropped.push(path)
  if (!stamp && dropped.length === 0) return expiries
  // Copied entry by entry with `forEach`: the Map constructor reads an entries iterator, an array per entry.
  const next = new Map<string, Expiry>()
  expiries.forEach((expiry, path) => {
    next.set(path, expiry)
  })
  for (const path of dropped) next.delete(path)
  if (!stamp) return next
  const expiry: Expiry = Object.freeze({ at: stamp.at, revision, ...actorOf(stamp.actor) })
  for (const path of written) next.set(path, expiry)
  return next
}

/** The deadlines `refs` name that are still set (by the same revision): what an expiry transaction resets. */
export function stillExpiring(expiries: Expiries, refs: readonly ExpiryRef[]): string[] {
  return refs.filter((r) => expiries.get(r.path)?.revision === r.revision).map((r) => r.path)
}

/** The deadlines as `status().expiring` lists them: soonest first. */
export function pendingExpiries(expiries: Expiries): PendingExpiry[] {
  return [...expiries]
    .map(([path, e]) => ({ path, at: new Date(e.at), revision: e.revision, ...actorOf(e.actor) }))
    .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.path < b.path ? -1 : 1))
}

/** The deadlines as a backend stores them; `undefined` when there are none (the document stays as before). */
export function persistExpiries(expiries: Expiries): Record<string, PersistedExpiry> | undefined {
  if (expiries.size === 0) return undefined
  return Object.fromEntries(
    [...expiries].map(([path, e]) => [
      path,
      { at: new Date(e.at).toISOString(), revision: e.revision, ...actorOf(e.actor) },
    ]),
  )
}

/** The deadlines a backend stored. Throws on a malformed entry (the backend treats its document as corrupt). */
export function readExpiries(stored: unknown): Expiries {
  if (stored === undefined) return NO_EXPIRIES
  if (!isRecord(stored)) throw new Error('"expiries" must be an object')
  const out = new Map<string, Expiry>()
  for (const [path, raw] of Object.entries(stored)) {
    const at = isRecord(raw) && typeof raw.at === 'string' ? Date.parse(raw.at) : Number.NaN
    if (!isRecord(raw) || Number.isNaN(at) || !Number.isSafeInteger(raw.revision))
      throw new Error(`"expiries.${path}" must be { at: an ISO date, revision: an integer }`)
    const actor = typeof raw.actor === 'string' ? raw.actor : undefined
    out.set(path, Object.freeze({ at, revision: raw.revision as number, ...actorOf(actor) }))
  }
  return out
}

// --- internal ---

/**
 * Whether a path lies at, above or below one of `written`: through sets of the written paths and of their
 * ancestors, so an expiry of many paths against many deadlines costs their sum, not their product.
 */
function touches(written: readonly string[]): (path: string) => boolean {
  if (written.length === 1) return (path) => overlaps(path, written[0]!)
  const exact = new Set(written)
  if (exact.has('')) return () => true
  const above = new Set<string>()
  for (const w of written)
    for (let i = w.indexOf('.'); i !== -1; i = w.indexOf('.', i + 1)) above.add(w.slice(0, i))
  return (path) => {
    if (exact.has(path) || above.has(path)) return true
    for (let i = path.indexOf('.'); i !== -1; i = path.indexOf('.', i + 1))
      if (exact.has(path.slice(0, i))) return true
    return false
  }
}

function actorOf(actor: string | undefined): { actor?: string } {
  return actor === undefined ? {} : { actor }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
