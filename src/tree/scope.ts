/* Where a candidate may differ from the live config. A write that knows its paths (a set, a patch, a reset, an
   expiry) builds its candidate by path copies, so every key outside those paths holds the live value itself; the
   walks that follow (validation, reconcile, diff, freeze, and the merge of the layers) visit only the keys the scope
   names instead of every key of each object on the way, and a change of one key in a section of a thousand costs
   that key rather than the section. Without a scope, anything may differ and every walk compares every key. */
import { isPlainObject, valueAt } from './paths.ts'

/**
 * The keys of one object that may differ, each with the scope below it (`undefined`: anything below may differ).
 * The keys it does not name are the same objects and values on both sides, present or absent alike.
 */
export type Scope = ReadonlyMap<string, Scope | undefined>

/** The scope of writes at these paths (each a list of segments); `undefined` when one is the root. */
export function scopeOfPaths(paths: readonly (readonly string[])[]): Scope | undefined {
  const root = new Map<string, Scope | undefined>()
  for (const segments of paths) {
    if (segments.length === 0) return undefined
    let node = root
    for (let i = 0; i < segments.length; i++) {
      const key = segments[i]!
      if (i === segments.length - 1) {
        node.set(key, undefined)
        break
      }
      if (node.has(key) && node.get(key) === undefined) break
      let child = node.get(key) as Map<string, Scope | undefined> | undefined
      if (child === undefined) {
        child = new Map()
        node.set(key, child)
      }
      node = child
    }
  }
  return root
}

/** The scope of a deep-partial patch (`mergePatch`): its objects are merged, anything else replaces. */
export function scopeOfPatch(patch: Readonly<Record<string, unknown>>): Scope {
  const out = new Map<string, Scope | undefined>()
  for (const key of Object.keys(patch)) {
    const value = patch[key]
    out.set(key, isPlainObject(value) ? scopeOfPatch(value) : undefined)
  }
  return out
}

/**
 * The keys of `object` a scope names, in the object's own order (so issues and changes come in the same order as
 * from a walk of every key); all of them without a scope.
 */
export function keysIn(
  object: Readonly<Record<string, unknown>>,
  scope: Scope | undefined,
): readonly string[] {
  if (scope === undefined) return Object.keys(object)
  if (scope.size === 1) {
    const only = scope.keys().next().value as string
    return Object.hasOwn(object, only) ? [only] : []
  }
  return Object.keys(object).filter((key) => scope.has(key))
}

/**
 * `scope` where both `prev` and `next` are objects, and the whole subtree elsewhere: an object that appears where
 * there was none (or a value that is no longer one) was not copied from `prev`, and is walked whole.
 */
export function narrowScope(scope: Scope | undefined, prev: unknown, next: unknown): Scope | undefined {
  if (scope === undefined || !isPlainObject(prev) || !isPlainObject(next)) return undefined
  const out = new Map<string, Scope | undefined>()
  for (const [key, below] of scope) {
    out.set(key, below && narrowScope(below, valueAt(prev, key), valueAt(next, key)))
  }
  return out
}
