import type { Recipe } from '../../types.ts'
import { isJsonObject } from './json.ts'

/** A JSON value that may be a merge-patch document (RFC 7396). */
export type MergePatch = Record<string, unknown>

/**
 * Turns a JSON merge patch (RFC 7396) into an immer recipe for `store.update`: `null` deletes a key, an object
 * merges into an object, anything else replaces. Deleting a required key is left to validation, which rejects it.
 * The patch must have passed `unsafeKeys` (no prototype keys, bounded depth).
 * @example mergePatchRecipe({ pool: { max: 20, min: null } })  // sets pool.max, deletes pool.min
 */
export function mergePatchRecipe(patch: MergePatch): Recipe<Record<string, unknown>> {
  return function applyMergePatch(draft) {
    merge(draft, patch)
  }
}

// --- internal ---

function merge(target: Record<string, unknown>, patch: MergePatch): void {
  for (const key of Object.keys(patch)) {
    const value = patch[key]
    if (value === null) {
      if (Object.hasOwn(target, key)) delete target[key]
    } else if (isJsonObject(value)) {
      const current = target[key]
      if (isPlainObject(current)) merge(current, value)
      else target[key] = withoutNulls(value)
    } else {
      target[key] = value
    }
  }
}

// A patch merged into a non-object starts from `{}`, where `null` members delete nothing and are dropped.
function withoutNulls(patch: MergePatch): MergePatch {
  const out: MergePatch = {}
  for (const key of Object.keys(patch)) {
    const value = patch[key]
    if (value !== null) out[key] = isJsonObject(value) ? withoutNulls(value) : value
  }
  return out
}

// Drafts report their base's prototype, so this sees through immer; a Date or class instance is replaced whole.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isJsonObject(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
