import { deepEqual } from './equal.ts'
import { isPlainObject } from './paths.ts'

/**
 * `next` with every subtree that equals the one in `prev` replaced by `prev`'s, so identities survive a reload and
 * `select()` fires only where something changed. Returns `prev` itself when nothing differs.
 */
export function reconcile<T>(prev: T, next: unknown): T {
  if (prev === next) return prev
  if (isPlainObject(prev) && isPlainObject(next)) {
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
