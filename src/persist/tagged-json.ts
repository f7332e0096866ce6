import { isPlainObject } from '../tree/paths.ts'
import { TOMBSTONE } from '../tree/tombstone.ts'

/**
 * Encodes a tree for `JSON.stringify` so that what JSON cannot hold round-trips through `decodeTagged`. Each such
 * value becomes an object tagged `$hotconf`:
 *
 * | value | persisted as |
 * | --- | --- |
 * | a deletion (`TOMBSTONE`) | `{ "$hotconf": "deleted" }` |
 * | `Date` | `{ "$hotconf": "date", "value": "2026-01-01T00:00:00.000Z" }` (`null` for an invalid date) |
 * | `bigint` | `{ "$hotconf": "bigint", "value": "123" }` |
 * | `NaN`, `Infinity`, `-Infinity`, `-0` | `{ "$hotconf": "number", "value": "NaN" }` |
 * | `undefined` in an array | `{ "$hotconf": "undefined" }` |
 * | `Map`, `Set` | `{ "$hotconf": "map", "value": [[k, v], ...] }`, `{ "$hotconf": "set", "value": [...] }` |
 * | a plain object with a `$hotconf` key of its own | `{ "$hotconf": "object", "value": {...} }` |
 *
 * The last row means data can never forge a tag. Anything else JSON cannot hold (a function, a symbol, a class
 * instance) throws an `Error` naming its path: persisting it would lose it silently.
 */
export function encodeTagged(value: unknown, path = ''): unknown {
  switch (typeof value) {
    case 'bigint':
      return { [TAG]: 'bigint', value: value.toString() }
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0)
        ? value
        : { [TAG]: 'number', value: String(value === 0 ? '-0' : value) }
    case 'string':
    case 'boolean':
      return value
    case 'undefined':
      return { [TAG]: 'undefined' }
  }
  if (value === null) return null
  if (value === TOMBSTONE) return { [TAG]: 'deleted' }
  if (Array.isArray(value)) return value.map((v, i) => encodeTagged(v, at(path, String(i))))
  if (value instanceof Date) {
    return { [TAG]: 'date', value: Number.isNaN(value.getTime()) ? null : value.toISOString() }
  }
  if (value instanceof Map) {
    return {
      [TAG]: 'map',
      value: [...value].map(([k, v], i) => [
        encodeTagged(k, at(path, `key${i}`)),
        encodeTagged(v, at(path, String(k))),
      ]),
    }
  }
  if (value instanceof Set)
    return { [TAG]: 'set', value: [...value].map((v, i) => encodeTagged(v, at(path, String(i)))) }
  if (!isPlainObject(value)) throw new Error(`${describe(value)} at ${path || '(root)'} cannot be persisted`)
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    // An undefined property is an absent key, as in JSON.
    if (value[key] !== undefined) out[key] = encodeTagged(value[key], at(path, key))
  }
  return Object.hasOwn(value, TAG) ? { [TAG]: 'object', value: out } : out
}

/** Reverses `encodeTagged`; throws on a tag it does not know (a newer format: the file is not this version's). */
export function decodeTagged(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeTagged)
  if (!isPlainObject(value)) return value
  if (Object.hasOwn(value, TAG)) return decodeTag(value)
  return decodeEntries(value)
}

/** `JSON.stringify` with tagged values: the one way hotconf writes config values to a file. */
export function stringifyTagged(value: unknown, indent?: number): string {
  return JSON.stringify(encodeTagged(value), null, indent)
}

// --- internal ---

const TAG = '$hotconf'

function decodeTag(node: Record<string, unknown>): unknown {
  const { [TAG]: tag, value } = node
  switch (tag) {
    case 'deleted':
      return TOMBSTONE
    case 'undefined':
      return undefined
    case 'date':
      return new Date(typeof value === 'string' ? value : Number.NaN)
    case 'bigint':
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value)
      break
    case 'number':
      if (value === 'NaN' || value === 'Infinity' || value === '-Infinity' || value === '-0')
        return Number(value)
      break
    case 'map':
      if (Array.isArray(value) && value.every((e) => Array.isArray(e) && e.length === 2)) {
        return new Map(value.map(([k, v]: unknown[]) => [decodeTagged(k), decodeTagged(v)]))
      }
      break
    case 'set':
      if (Array.isArray(value)) return new Set(value.map(decodeTagged))
      break
    case 'object':
      if (isPlainObject(value)) return decodeEntries(value)
      break
    default:
      throw new Error(`unknown "${TAG}" tag ${JSON.stringify(tag)}`)
  }
  throw new Error(`a "${TAG}": ${JSON.stringify(tag)} tag with a malformed value`)
}

function decodeEntries(node: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(node)) {
    // Defined, not assigned: a `__proto__` key must stay an own key, for the forbidden-key check to see it.
    Object.defineProperty(out, key, {
      value: decodeTagged(node[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}

function at(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'symbol') return `a symbol (${value.description ?? ''})`
  const name = (value as object)?.constructor?.name
  return name ? `an instance of ${name}` : 'a value JSON cannot hold'
}
