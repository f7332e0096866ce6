import { isPlainObject } from './paths.ts'

/** A fresh copy of JSON-like data, so freezing the result never freezes the caller's objects. */
export function cloneData<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneData) as T
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value)) out[key] = cloneData(value[key])
    return out as T
  }
  return value
}
