import { deepEqual } from './equal.ts'
import { isPlainObject } from './paths.ts'
import type { Scope } from './scope.ts'
import { copyObject } from './wide-object.ts'

/**
 * `next` with every subtree that equals the one in `prev` replaced by `prev`'s, so identities survive a reload and
 * `select()` fires only where something changed. Returns `prev` itself when nothing differs. With a `scope` (where
 * `next` may differ from `prev`), an object is visited at the keys it names only.
 */
export function reconcile<T>(prev: T, next: unknown, scope?: Scope): T {
  if (prev === next) return prev
  if (isPlainObject(prev) && isPlainObject(next)) {
    if (scope !== undefined) return reconcileIn(prev, next, scope) as T
    const nextKeys = Object.keys(next)
    let same = Object.keys(prev).length === nextKeys.length
    // Built only once a key must take `prev`'s value: most reconciles keep `next` (or `prev`) whole.
    let out: Record<string, unknown> | undefined
    for (let i = 0; i < nextKeys.length; i++) {
      const key = nextKeys[i]!
      const had = Object.hasOwn(prev, key)
      const merged = had ? reconcile(prev[key], next[key]) : next[key]
      if (!had || merged !== prev[key]) same = false
      if (merged !== next[key] && out === undefined) {
        out = {}
        for (let j = 0; j < i; j++) out[nextKeys[j]!] = next[nextKeys[j]!]
      }
      if (out !== undefined) out[key] = merged
    }
    // Keep `next` itself when nothing of `prev` could be reused: a rollback target keeps its identity.
    return (same ? prev : (out ?? next)) as T
  }
  return (deepEqual(prev, next) ? prev : next) as T
}

// --- internal ---

/** `reconcile` of two objects whose keys outside `scope` are the same, present or absent alike. */
function reconcileIn(
  prev: Record<string, unknown>,
  next: Record<string, unknown>,
  scope: Scope,
): Record<string, unknown> {
  let same = true
  let out: Record<string, unknown> | undefined
  for (const [key, below] of scope) {
    const had = Object.hasOwn(prev, key)
    if (!Object.hasOwn(next, key)) {
      if (had) same = false
      continue
    }
    const merged = had ? reconcile(prev[key], next[key], below) : next[key]
    if (!had || merged !== prev[key]) same = false
    if (merged !== next[key]) {
      out ??= copyObject(next)
      out[key] = merged
    }
  }
  return same ? prev : (out ?? next)
}
