import { covers, type Isolation, scopesOf as pathScopes, type Scope } from '../../adapter-kit.ts'
import type { KeyLayout } from './key-layout.ts'
import { prefixRange } from './key-layout.ts'

export { holds, type Scope } from '../../adapter-kit.ts'

/** Which concurrent writes conflict; the same rule as the file backend's (see `Isolation`). */
export type EtcdIsolation = Isolation

/** The outermost scopes covering every written path, as etcd keys under the layout's root. @internal */
export function scopesOf(paths: Iterable<string>, isolation: EtcdIsolation, layout: KeyLayout): Scope[] {
  return pathScopes(paths, isolation).map((s) => ({ key: layout.key(s.key), prefix: s.prefix }))
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
