import { cloneData } from './clone.ts'
import { isPlainObject } from './paths.ts'
import { TOMBSTONE } from './tombstone.ts'

/**
 * Layer merge, low to high: objects merge key by key; arrays and scalars replace; `undefined` leaves the lower value;
 * a `TOMBSTONE` removes it (or, with `keepTombstones`, stays in the result: a merge of two overrides layers).
 * Returns fresh objects; the inputs are never changed.
 */
export function mergeLayers(
  layers: readonly unknown[],
  { keepTombstones = false }: { readonly keepTombstones?: boolean } = {},
): Record<string, unknown> {
  let out: Record<string, unknown> = {}
  for (const layer of layers) if (isPlainObject(layer)) out = mergeInto(out, layer, keepTombstones)
  return out
}

// --- internal ---

function mergeInto(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
  keep: boolean,
): Record<string, unknown> {
  for (const key of Object.keys(over)) {
    const value = over[key]
    if (value === undefined) continue
    if (value === TOMBSTONE && !keep) {
      delete base[key]
      continue
    }
    const current = base[key]
    // An object over a non-object still goes through the merge, so the tombstones inside it are applied.
    base[key] = isPlainObject(value)
      ? mergeInto(isPlainObject(current) ? current : {}, value, keep)
      : cloneData(value)
  }
  return base
}
