import { cloneData } from './clone.ts'
import { isPlainObject } from './paths.ts'

/**
 * Layer merge, low to high: objects merge key by key; arrays and scalars replace; `undefined` leaves the lower value.
 * Returns fresh objects; the inputs are never changed.
 */
export function mergeLayers(layers: readonly unknown[]): Record<string, unknown> {
  let out: Record<string, unknown> = {}
  for (const layer of layers) if (isPlainObject(layer)) out = mergeInto(out, layer)
  return out
}

// --- internal ---

function mergeInto(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(over)) {
    const value = over[key]
    if (value === undefined) continue
    const current = base[key]
    base[key] = isPlainObject(value) && isPlainObject(current) ? mergeInto(current, value) : cloneData(value)
  }
  return base
}
