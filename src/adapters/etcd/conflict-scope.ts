import type { KeyLayout } from './key-layout.ts'
import { prefixRange } from './key-layout.ts'

/**
 * Which concurrent writes count as a conflict with a write to `pool.max`:
 * - `'key'`: only another write to `pool.max` itself;
 * - `'object'`: a write to any key of the same object (`pool.*`), because cross-field rules (a `refine` on `pool`
 *   such as `min <= max`) read siblings: two instances changing `pool.min` and `pool.max` at once could each pass
 *   validation and together break the rule. Keys of different objects (`pool.max`, `server.port`) never conflict.
 *   A top-level key's object is the whole document;
 * - `'document'`: any other write (serializable, like one JSON document).
 */
export type EtcdIsolation = 'key' | 'object' | 'document'

/** An etcd key, or a key prefix, whose contents a write must have seen. @internal */
export interface Scope {
  readonly key: string
  readonly prefix: boolean
}

/** The outermost scopes covering every written path (nested ones dropped). @internal */
export function scopesOf(paths: Iterable<string>, isolation: EtcdIsolation, layout: KeyLayout): Scope[] {
  const all: Scope[] = []
  for (const path of paths) {
    const dot = path.lastIndexOf('.')
    if (isolation === 'key') all.push({ key: layout.key(path), prefix: false })
    else if (isolation === 'document' || dot < 0) all.push({ key: layout.root, prefix: true })
    else all.push({ key: layout.key(path.slice(0, dot + 1)), prefix: true })
  }
  const unique = [...new Map(all.map((s) => [`${s.prefix}:${s.key}`, s])).values()]
  return unique.filter((scope) => !unique.some((other) => other !== scope && covers(other, scope)))
}

/** True when `scope` holds `key`. @internal */
export function holds(scope: Scope, key: string): boolean {
  return scope.prefix ? key.startsWith(scope.key) : key === scope.key
}

/** The etcd range of a scope, for a compare or a read. @internal */
export function rangeOf(scope: Scope): { key: Buffer; range_end?: Buffer } {
  return scope.prefix ? prefixRange(scope.key) : { key: Buffer.from(scope.key) }
}

/**
 * The revision up to which this instance knows a scope's contents exactly: the last full load, or a later save
 * whose transaction compared that scope (or one covering it). A save must not trust a later revision for a scope it
 * did not compare: another writer may have changed it in between, unseen. @internal
 */
export class KnownRevisions {
  #loadedAt = 0
  #verified: { scope: Scope; revision: number }[] = []

  /** After a full load at `revision`: every scope is known up to it. */
  loaded(revision: number): void {
    this.#loadedAt = revision
    this.#verified = []
  }

  /** After a save at `revision` whose transaction compared `scopes`. */
  verified(scopes: readonly Scope[], revision: number): void {
    this.#verified = this.#verified.filter((v) => !scopes.some((s) => covers(s, v.scope)))
    for (const scope of scopes) this.#verified.push({ scope, revision })
  }

  of(scope: Scope): number {
    let known = this.#loadedAt
    for (const v of this.#verified) if (v.revision > known && covers(v.scope, scope)) known = v.revision
    return known
  }

  /** The newest revision this instance read or wrote at. */
  get latest(): number {
    return Math.max(this.#loadedAt, ...this.#verified.map((v) => v.revision))
  }
}

// --- internal ---

function covers(outer: Scope, inner: Scope): boolean {
  return outer.prefix ? inner.key.startsWith(outer.key) : !inner.prefix && inner.key === outer.key
}
