import { cloneData } from './clone.ts'
import { deepEqual } from './equal.ts'
import { isPlainObject } from './paths.ts'
import { copyObject } from './wide-object.ts'

/**
 * `base` with a deep-partial patch merged in: objects merge, arrays and scalars replace, `undefined` deletes. Only
 * the objects on a changed path are copied and everything else is shared; `base` itself comes back when nothing
 * differs (so an equal patch is `unchanged`). Values are copied in (`cloneData`): the caller may change its patch
 * afterwards. What an immer draft would do for a patch, without a proxy per level.
 */
export function mergePatch<T>(base: T, patch: Readonly<Record<string, unknown>>): T {
  const node: Record<string, unknown> = isPlainObject(base) ? base : {}
  let out: Record<string, unknown> | undefined
  for (const key of Object.keys(patch)) {
    const value = patch[key]
    const had = Object.hasOwn(node, key)
    const current = had ? node[key] : undefined
    if (value === undefined) {
      if (!had) continue
      out ??= { ...node }
      delete out[key]
      continue
    }
    // An object patch merges into an object, and into a fresh one where there is none (dropping its deletions).
    const next = isPlainObject(value)
      ? mergePatch(isPlainObject(current) ? current : {}, value)
      : deepEqual(current, value)
        ? current
        : cloneData(value)
    if (next === current && had) continue
    out ??= { ...node }
    out[key] = next
  }
  return (out ?? base) as T
}

/** Sets (or with `undefined`, deletes) the value at a path of a draft, creating objects on the way. */
export function setIn(draft: Record<string, unknown>, segments: readonly string[], value: unknown): void {
  let node = draft
  for (let i = 0; i < segments.length - 1; i++) {
    const key = segments[i]!
    let child = node[key]
    if (!isPlainObject(child)) {
      if (value === undefined) return
      child = {}
      node[key] = child
    }
    node = node[key] as Record<string, unknown>
  }
  const last = segments[segments.length - 1]
  if (last === undefined) return
  if (value === undefined) delete node[last]
  else if (!deepEqual(node[last], value)) node[last] = value
}

/**
 * A copy of `root` with `value` at the path (or the key removed, for `undefined`): only the objects on the path
 * are copied, everything else is shared. Cheaper than an immer draft when the path is known.
 */
export function assocIn<T>(root: T, segments: readonly string[], value: unknown, at = 0): T {
  if (at === segments.length) return value as T
  const node: Record<string, unknown> = isPlainObject(root) ? root : {}
  const key = segments[at]!
  const child = Object.hasOwn(node, key) ? node[key] : undefined
  const next = assocIn(child, segments, value, at + 1)
  if (next === child && (next !== undefined || !Object.hasOwn(node, key))) return root
  const out = copyObject(node, next === undefined ? key : undefined)
  if (next !== undefined) out[key] = next
  return out as T
}
