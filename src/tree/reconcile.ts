import { deepEqual } from './equal.ts'
import { isPlainObject } from './paths.ts'

/**
 * `next` with every subtree that equals the one in `prev` replaced by `prev`'s, so identities survive a reload and
 * `select()` fires only where something changed. Returns `prev` itself when nothing differs.
 */
export function reconcile<T>(prev: T, next: unknown): T {
  if (prev === next) return prev
  if (isPlainObject(prev) && isPlainObject(next)) {
    const prevKeys = Object.keys(prev)
    const nextKeys = Object.keys(next)
    let same = prevKeys.length === nextKeys.length
    let allNext = true
    const out: Record<string, unknown> = {}
    for (const key of nextKeys) {
      const merged = Object.hasOwn(prev, key) ? reconcile(prev[key], next[key]) : next[key]
      if (merged !== prev[key] || !Object.hasOwn(prev, key)) same = false
      if (merged !== next[key]) allNext = false
      out[key] = merged
    }
    // Keep `next` itself when nothing of `prev` could be reused: a rollback target keeps its identity.
    return (same ? prev : allNext ? next : out) as T
  }
  return (deepEqual(prev, next) ? prev : next) as T
}
