import type { Change } from '../types.ts'
import { deepEqual } from './equal.ts'
import { isPlainObject, joinPath, valueAt } from './paths.ts'
import { keysIn, type Scope } from './scope.ts'

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({})

/**
 * The leaf changes from `prev` to `next`. Subtrees with the same identity are skipped, so the cost follows the
 * change, not the config. Objects are descended (an added or removed object lists its leaves); arrays are leaves,
 * and so is an object without leaves (`{}`, or keys that are all `undefined`) that appears or disappears: without a
 * change of its own the overrides layer would never record it, and a restart would rebuild a different config.
 * With a `scope` (where `next` may differ from `prev`), objects are compared at the keys it names only.
 */
export function diffTrees(prev: unknown, next: unknown, prefix = '', scope?: Scope): Change[] {
  const out: Change[] = []
  walk(prev, next, prefix, out, scope)
  return out
}

// --- internal ---

function walk(prev: unknown, next: unknown, path: string, out: Change[], scope: Scope | undefined): void {
  if (prev === next) return
  const prevIsObject = isPlainObject(prev)
  const nextIsObject = isPlainObject(next)
  if (
    (prevIsObject || nextIsObject) &&
    (prevIsObject || prev === undefined) &&
    (nextIsObject || next === undefined)
  ) {
    const oneSided = prev === undefined || next === undefined
    if (oneSided && !hasLeaf((prev ?? next) as Record<string, unknown>))
      out.push({ path, from: prev, to: next })
    else if (scope !== undefined && prevIsObject && nextIsObject) walkScope(prev, next, path, out, scope)
    else walkObjects(prev ?? EMPTY, next ?? EMPTY, path, out)
  } else if (!deepEqual(prev, next)) {
    out.push({ path, from: prev, to: next })
  }
}

function walkObjects(prev: unknown, next: unknown, path: string, out: Change[]): void {
  const a = prev as Record<string, unknown>
  const b = next as Record<string, unknown>
  for (const key of Object.keys(a)) {
    const to = valueAt(b, key)
    // Checked before the path is joined: most keys of a changed object are shared, and the string costs more.
    if (a[key] !== to) walk(a[key], to, joinPath(path, key), out, undefined)
  }
  for (const key of Object.keys(b))
    if (!Object.hasOwn(a, key)) walk(undefined, b[key], joinPath(path, key), out, undefined)
}

/** `walkObjects` of two objects whose keys outside `scope` are the same: the changes come in the same order. */
function walkScope(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  path: string,
  out: Change[],
  scope: Scope,
): void {
  for (const key of keysIn(a, scope)) {
    const to = valueAt(b, key)
    if (a[key] !== to) walk(a[key], to, joinPath(path, key), out, scope.get(key))
  }
  for (const key of keysIn(b, scope))
    if (!Object.hasOwn(a, key)) walk(undefined, b[key], joinPath(path, key), out, undefined)
}

/** Whether a plain object holds any value; stops at the first, without listing its keys. */
function hasLeaf(object: Readonly<Record<string, unknown>>): boolean {
  for (const key in object) if (object[key] !== undefined) return true
  return false
}
