import type { DeepPartial } from '../../types.ts'
import { isJsonObject } from './json.ts'

/** A JSON value that may be a merge-patch document (RFC 7396). */
export type MergePatch = Record<string, unknown>

/**
 * Turns a JSON merge patch (RFC 7396) into a deep-partial patch for `store.update`: `null` becomes `undefined`,
 * which deletes the key. The rest already means the same in both: an object merges into an object (and into a
 * fresh one where there is none), anything else replaces. Deleting a required key is left to validation, which
 * rejects it. The patch must have passed `unsafeKeys` (no prototype keys, bounded depth).
 * @example store.update(fromMergePatch({ pool: { max: 20, min: null } }))  // sets pool.max, deletes pool.min
 */
export function fromMergePatch(patch: MergePatch): DeepPartial<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(patch)) {
    const value = patch[key]
    out[key] = value === null ? undefined : isJsonObject(value) ? fromMergePatch(value) : value
  }
  return out as DeepPartial<Record<string, unknown>>
}
