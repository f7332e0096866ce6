import { cloneData } from './clone.ts'
import { deepEqual } from './equal.ts'
import { isPlainObject } from './paths.ts'

/**
 * Merges a deep-partial patch into an immer draft: objects merge, arrays and scalars replace, `undefined` deletes.
 * Assigns only what differs, so an equal patch leaves the draft unmodified (and the update `unchanged`).
 */
export function applyPatch(draft: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const key of Object.keys(patch)) {
    const value = patch[key]
    const current = draft[key]
    if (value === undefined) {
      if (Object.hasOwn(draft, key)) delete draft[key]
    } else if (isPlainObject(value) && isPlainObject(current)) {
      applyPatch(current, value)
    } else if (!deepEqual(current, value)) {
      draft[key] = cloneData(value)
    }
  }
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
  const out: Record<string, unknown> = { ...node }
  if (next === undefined) delete out[key]
  else out[key] = next
  return out as T
}
