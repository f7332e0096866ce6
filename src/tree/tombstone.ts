/**
 * What the overrides layer holds at a deleted path: merging the layers removes whatever a lower layer sets there, so
 * a deletion survives reloads and restarts. It never reaches a config. Persisted as `{ "$hotconf": "deleted" }`
 * (see `encodeTagged`).
 */
export const TOMBSTONE: unique symbol = Symbol('hotconf.deleted')

/** True when `layer` holds a tombstone at `segments` or above it. */
export function deletedAt(layer: unknown, segments: readonly string[]): boolean {
  let node = layer
  for (let i = 0; i <= segments.length; i++) {
    if (node === TOMBSTONE) return true
    if (node === null || typeof node !== 'object' || i === segments.length) return false
    const key = segments[i]!
    if (!Object.hasOwn(node, key)) return false
    node = (node as Record<string, unknown>)[key]
  }
  return false
}
