import { isPlainObject } from '../tree/paths.ts'
import { TOMBSTONE } from '../tree/tombstone.ts'

/**
 * Encodes a tree for `JSON.stringify` so that what JSON cannot hold survives: a `TOMBSTONE` becomes
 * `{ "$hotconf": "deleted" }`, and a plain object that has a `$hotconf` key of its own is wrapped as
 * `{ "$hotconf": "object", "value": {...} }` so it is never read as a tag. `decodeTagged` reverses it.
 */
export function encodeTagged(value: unknown): unknown {
  if (value === TOMBSTONE) return { [TAG]: 'deleted' }
  if (Array.isArray(value)) return value.map(encodeTagged)
  if (!isPlainObject(value)) return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) out[key] = encodeTagged(value[key])
  return Object.hasOwn(value, TAG) ? { [TAG]: 'object', value: out } : out
}

/** Reverses `encodeTagged`; throws on a tag it does not know (a newer format: the file is not this version's). */
export function decodeTagged(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeTagged)
  if (!isPlainObject(value)) return value
  if (Object.hasOwn(value, TAG)) return decodeTag(value)
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) out[key] = decodeTagged(value[key])
  return out
}

// --- internal ---

const TAG = '$hotconf'

function decodeTag(node: Record<string, unknown>): unknown {
  const tag = node[TAG]
  switch (tag) {
    case 'deleted':
      return TOMBSTONE
    case 'object': {
      if (!isPlainObject(node.value)) throw new Error(`a "${TAG}": "object" tag needs an object value`)
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(node.value)) out[key] = decodeTagged(node.value[key])
      return out
    }
    default:
      throw new Error(`unknown "${TAG}" tag ${JSON.stringify(tag)}`)
  }
}
