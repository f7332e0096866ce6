/* Copies of wide objects (a config section of a thousand keys) that cost their width once, not again and again.
   V8 copies a small object by cloning its hidden class, but an object rebuilt key by key walks a transition per key,
   and a spread of a frozen or hash-table object copies key by key too: a transaction that changes one key of a
   thousand paid that several times over. A wide copy is made a hash table from the start, so copying it again costs
   one insert per key. */

/** From this many keys on, an object is built as a hash table. */
const WIDE = 64

/** An empty object to write `keys` keys into: a hash table from the start when they are many. */
export function objectFor(keys: number): Record<string, unknown> {
  if (keys < WIDE) return {}
  // Deleting a property that is not the last one added turns an object into a hash table for good.
  const out: Record<string, unknown> = { a: undefined, b: undefined }
  delete out.a
  delete out.b
  return out
}

/** A shallow copy of a plain object, without the key `omit` (when given): a spread, but cheap again for a wide one. */
export function copyObject(
  source: Readonly<Record<string, unknown>>,
  omit?: string,
): Record<string, unknown> {
  const keys = Object.keys(source)
  if (keys.length < WIDE) {
    const out = { ...source }
    if (omit !== undefined) delete out[omit]
    return out
  }
  const out = objectFor(keys.length)
  for (const key of keys) {
    if (key === omit) continue
    // Own data, even for a key named `__proto__` (a spread defines it; an assignment would set the prototype).
    if (key === '__proto__')
      Object.defineProperty(out, key, {
        value: source[key],
        enumerable: true,
        writable: true,
        configurable: true,
      })
    else out[key] = source[key]
  }
  return out
}
