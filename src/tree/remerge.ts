import { cloneData } from './clone.ts'
import { isPlainObject, joinPath, overlaps, valueAt } from './paths.ts'
import { reconcile } from './reconcile.ts'
import type { Scope } from './scope.ts'
import { TOMBSTONE } from './tombstone.ts'
import { copyObject, objectFor } from './wide-object.ts'

/**
 * `reconcile(live, mergeLayers(next))`, at the cost of what changed between `prev` and `next`: where every layer holds
 * the same object or value at a path as it did in `prev`, the merge there is what it was when `live` was made, and
 * `live`'s subtree is taken as it is (as `reconcile` would, and as the incremental validation then trusts). So a
 * reload whose sources kept their untouched subtrees (see `fileSource`) walks only the paths that changed.
 *
 * `prev` must be the layers `live` was made from, low to high as `next`. `pinned` are dotted paths where `live` may
 * differ from its layers (restart keys whose change waits for a restart): they, and what lies above or below them,
 * are merged afresh. Returns fresh objects where anything changed, never the layers' own.
 */
export function remerge<T>(
  live: T,
  prev: readonly unknown[],
  next: readonly unknown[],
  pinned: readonly string[] = [],
): T {
  return merged(live, mergeNode(live, olderOf(prev, next), top(next), '', pinned, undefined))
}

/**
 * `remerge` where a `scope` says where the layers may differ (a reset of known paths): an object `live` holds is
 * merged at the keys the scope names only, keeping `live`'s key order and what only `live` holds (defaults the
 * validation filled in). `undefined` when the scope is too narrow for the merge, so the walks after it would be too:
 * where a layer's leaf went (or became an object), the objects below it join the merge with all their keys. Merge
 * without the scope then.
 */
export function remergeIn<T>(
  live: T,
  prev: readonly unknown[],
  next: readonly unknown[],
  scope: Scope,
): T | undefined {
  const olds = olderOf(prev, next)
  if (!olds) return undefined
  const out = mergeNode(live, olds, top(next), '', [], scope)
  return out === NARROW ? undefined : merged(live, out)
}

// --- internal ---

const ABSENT = Symbol('absent')
/** A scoped merge met a layer that joins with keys the scope does not name. */
const NARROW = Symbol('narrow')

const top = (layers: readonly unknown[]) => layers.map((l) => (isPlainObject(l) ? l : undefined))

/** The layers before, when they line up with `next` (else everything is merged afresh). */
const olderOf = (prev: readonly unknown[], next: readonly unknown[]) =>
  prev.length === next.length ? top(prev) : undefined

/** With no layer at all the merge is still an object. */
const merged = <T>(live: T, out: unknown): T => (out ?? reconcile(live, {})) as T

function mergeNode(
  live: unknown,
  prev: readonly unknown[] | undefined,
  next: readonly unknown[],
  path: string,
  pinned: readonly string[],
  scope: Scope | undefined,
): unknown {
  if (prev && sameAll(prev, next) && !pinned.some((p) => overlaps(p, path))) return live
  const merged = resolve(next)
  if (merged === ABSENT) return undefined
  if (!Array.isArray(merged)) return reconcile(live, cloneData(merged.leaf))
  const before = prev && resolve(prev)
  const objects = merged
  const olds = Array.isArray(before) ? before : undefined
  const liveObject = isPlainObject(live) ? live : undefined
  if (scope !== undefined && liveObject && pinned.length === 0) {
    // A leaf that went, or became an object, lets the objects below it join, with keys the scope does not name.
    const joins =
      prev && olds ? joinsUnchanged(prev, next, olds, objects) : before !== undefined && before !== ABSENT
    return joins ? NARROW : mergeIn(liveObject, olds, objects, scope)
  }
  const keys = keysOf(objects)
  const out = objectFor(keys.size)
  let same = liveObject !== undefined
  let count = 0
  for (const key of keys) {
    const liveChild = valueAt(liveObject, key)
    // A key no layer changed is `live`'s as it is, found without building its path or arrays of its layers: a wide
    // object where one key changed costs a comparison per key.
    const child =
      olds && pinned.length === 0 && sameAt(olds, objects, key)
        ? liveChild
        : mergeNode(
            liveChild,
            olds && valuesAt(olds, key),
            valuesAt(objects, key),
            pinned.length > 0 ? joinPath(path, key) : path,
            pinned,
            scope?.get(key),
          )
    if (child === NARROW) return NARROW
    if (child === undefined) continue
    out[key] = child
    count++
    if (same && child !== liveObject![key]) same = false
  }
  return same && count === Object.keys(liveObject!).length ? liveObject : out
}

/**
 * `mergeNode` of an object whose layers differ only at the keys `scope` names: `live` with those keys merged again
 * (one that appears goes last), the rest of `live` as it is.
 */
function mergeIn(
  live: Record<string, unknown>,
  olds: readonly unknown[] | undefined,
  objects: readonly unknown[],
  scope: Scope,
): unknown {
  let out: Record<string, unknown> | undefined
  for (const [key, below] of scope) {
    if (olds && sameAt(olds, objects, key)) continue
    const liveChild = valueAt(live, key)
    const child = mergeNode(liveChild, olds && valuesAt(olds, key), valuesAt(objects, key), '', [], below)
    if (child === NARROW) return NARROW
    if (child === liveChild) continue
    out ??= copyObject(live)
    if (child === undefined) delete out[key]
    else out[key] = child
  }
  return out ?? live
}

/**
 * What `mergeLayers` makes of the values the layers hold at one path: nothing, a leaf (the highest value that is not
 * an object, unless objects lie above it), or the objects it merges, aligned with the layers (`undefined` elsewhere).
 */
function resolve(values: readonly unknown[]): typeof ABSENT | { leaf: unknown } | unknown[] {
  let last = -1
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i]
    if (v !== undefined && !isPlainObject(v)) {
      last = i
      break
    }
  }
  let any = false
  const objects = values.map((v, i) => {
    if (i <= last || !isPlainObject(v)) return undefined
    any = true
    return v
  })
  if (any) return objects
  if (last === -1 || values[last] === TOMBSTONE) return ABSENT
  return { leaf: values[last] }
}

/** The keys in the order `mergeLayers` writes them: a tombstone deletes a key, so setting it again moves it last. */
function keysOf(objects: readonly unknown[]): Set<string> {
  const keys = new Set<string>()
  for (const o of objects) {
    if (o === undefined) continue
    const node = o as Record<string, unknown>
    for (const key of Object.keys(node)) {
      const v = node[key]
      if (v === undefined) continue
      if (v === TOMBSTONE) keys.delete(key)
      else keys.add(key)
    }
  }
  return keys
}

/** What each layer holds at `key`. A loop, not a `map` with a closure per key: a wide reset calls it a thousand times. */
function valuesAt(layers: readonly unknown[], key: string): unknown[] {
  const out = new Array<unknown>(layers.length)
  for (let i = 0; i < layers.length; i++) out[i] = valueAt(layers[i], key)
  return out
}

function sameAt(a: readonly unknown[], b: readonly unknown[], key: string): boolean {
  for (let i = 0; i < a.length; i++)
    if (a[i] !== b[i] && valueAt(a[i], key) !== valueAt(b[i], key)) return false
  return true
}

/**
 * Whether a layer holding the same object at this path before and after (`prev[i] === next[i]`) is merged now and
 * was not before (`olds`, `objects`: what `resolve` made of `prev` and `next`).
 */
function joinsUnchanged(
  prev: readonly unknown[],
  next: readonly unknown[],
  olds: readonly unknown[],
  objects: readonly unknown[],
): boolean {
  for (let i = 0; i < objects.length; i++)
    if (objects[i] !== undefined && olds[i] === undefined && prev[i] === next[i]) return true
  return false
}

function sameAll(a: readonly unknown[], b: readonly unknown[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
