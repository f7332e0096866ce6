/**
 * Which concurrent writes to a shared overrides store count as a conflict with a write to `pool.max`:
 * - `'key'`: only another write to `pool.max` itself (or a path above or below it);
 * - `'object'`: a write to any key of the same object (`pool.*`), because cross-field rules (a `refine` on `pool`
 *   such as `min <= max`) read siblings: two writers changing `pool.min` and `pool.max` at once could each pass
 *   validation and together break the rule. Keys of different objects (`pool.max`, `server.port`) never conflict.
 *   A top-level key's object is the whole document;
 * - `'document'`: any other write (serializable, like one JSON document).
 */
export type Isolation = 'key' | 'object' | 'document'

/** A dotted path, or a path prefix (`pool.`; `''` is everything), whose contents a write must have seen. @internal */
export interface Scope {
  readonly key: string
  readonly prefix: boolean
}

/** The outermost scopes covering every written path (nested ones dropped). @internal */
export function scopesOf(paths: Iterable<string>, isolation: Isolation): Scope[] {
  const all: Scope[] = []
  for (const path of paths) {
    const dot = path.lastIndexOf('.')
    if (isolation === 'key') all.push({ key: path, prefix: false })
    else if (isolation === 'document' || dot < 0) all.push({ key: '', prefix: true })
    else all.push({ key: path.slice(0, dot + 1), prefix: true })
  }
  const unique = [...new Map(all.map((s) => [`${s.prefix}:${s.key}`, s])).values()]
  return unique.filter((scope) => !unique.some((other) => other !== scope && covers(other, scope)))
}

/** True when `scope` holds `key`. @internal */
export function holds(scope: Scope, key: string): boolean {
  return scope.prefix ? key.startsWith(scope.key) : key === scope.key
}

/** True when `outer` holds everything `inner` does. @internal */
export function covers(outer: Scope, inner: Scope): boolean {
  return outer.prefix ? inner.key.startsWith(outer.key) : !inner.prefix && inner.key === outer.key
}
