/** A plain data object (`{}` or null-prototype), not an array, Date or class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

const cache = new Map<string, readonly string[]>()
const CACHE_LIMIT = 10_000

/** `'pool.max'` → `['pool', 'max']`, cached so hot `get()` calls do not split again. */
export function splitPath(path: string): readonly string[] {
  let segments = cache.get(path)
  if (segments === undefined) {
    segments = path === '' ? [] : path.split('.')
    if (cache.size >= CACHE_LIMIT) cache.clear()
    cache.set(path, segments)
  }
  return segments
}

export function joinPath(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`
}

/** The value at a path of segments, `undefined` when any step is missing. Own properties only. */
export function getAt(root: unknown, segments: readonly string[]): unknown {
  let node = root
  for (let i = 0; i < segments.length; i++) {
    if (node === null || typeof node !== 'object') return undefined
    const key = segments[i]!
    if (!Object.hasOwn(node, key)) return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return node
}

/** The own value of `key` in an object (`undefined` when it is absent, or there is no object). */
export function valueAt(o: unknown, key: string): unknown {
  return o !== undefined && Object.hasOwn(o as object, key) ? (o as Record<string, unknown>)[key] : undefined
}

/** Reads the value at one dotted path of a config. */
export type PathReader = (root: unknown) => unknown

/**
 * A cache of compiled readers, one per dotted path: `get()`'s hot path. A reader walks plain properties; a path with
 * a segment that `Object.prototype` also has (`constructor`, `toString`, ...) takes the own-property walk, so it never
 * reads an inherited value. `check` runs once per path, before its reader is compiled (and again only if the cache
 * was cleared), so a store can refuse a path its schema cannot have at no cost to later reads; it throws to refuse.
 */
export function pathReaders(
  check?: (path: string, segments: readonly string[]) => void,
): (path: string) => PathReader {
  const readers = new Map<string, PathReader>()
  return function readerOf(path) {
    let read = readers.get(path)
    if (read === undefined) {
      const segments = splitPath(path)
      check?.(path, segments)
      read = segments.some((k) => k in Object.prototype)
        ? (root) => getAt(root, segments)
        : (compiledReader(segments) ?? loopReader(segments))
      if (readers.size >= CACHE_LIMIT) readers.clear()
      readers.set(path, read)
    }
    return read
  }
}

/** True when `path` equals `prefix` or lies below it (`pool.max` is under `pool`). */
export function isUnder(path: string, prefix: string): boolean {
  return (
    prefix === '' || path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 46)
  )
}

/** True when one path lies under the other: a change of either touches both. */
export function overlaps(a: string, b: string): boolean {
  return isUnder(a, b) || isUnder(b, a)
}

// --- internal ---

/**
 * A reader compiled for one path: `n = n["db"]; n = n["pool"]; …` with constant keys, so each load has its own
 * feedback and V8 makes it a named property load (≈ 7 ns for three levels, against ≈ 40 ns for a loop whose keyed
 * load sees every key of every path). Keys enter the source only as JSON string literals, never as code.
 * `undefined` where code generation from strings is disabled (`--disallow-code-generation-from-strings`).
 */
function compiledReader(segments: readonly string[]): ((root: unknown) => unknown) | undefined {
  const steps = segments.map(
    (key) => `if (n === null || typeof n !== 'object') return undefined; n = n[${JSON.stringify(key)}];`,
  )
  try {
    return new Function('root', `let n = root; ${steps.join(' ')} return n;`) as (root: unknown) => unknown
  } catch {
    return undefined
  }
}

function loopReader(segments: readonly string[]): (root: unknown) => unknown {
  const n = segments.length
  return (root) => {
    let node = root
    for (let i = 0; i < n; i++) {
      if (node === null || typeof node !== 'object') return undefined
      node = (node as Record<string, unknown>)[segments[i]!]
    }
    return node
  }
}
