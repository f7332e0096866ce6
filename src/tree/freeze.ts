import { isPlainObject } from './paths.ts'

/**
 * Freezes `value` and what it holds, as immer's `freeze(value, true)` does, without loading immer on a store's way
 * to ready (issue 23): plain objects, arrays, and Maps and Sets, whose mutators then throw. A frozen object is taken
 * as frozen all the way down, so a new revision's walk stops at the subtrees it shares with the last one. Other
 * objects (a Date, a class instance) are left as they are.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value
  if (Array.isArray(value)) {
    Object.freeze(value)
    for (const item of value) deepFreeze(item)
  } else if (isPlainObject(value)) {
    Object.freeze(value)
    for (const key of Object.keys(value)) deepFreeze(value[key])
  } else if (value instanceof Map || value instanceof Set) {
    Object.defineProperties(value, LOCKED)
    Object.freeze(value)
    for (const item of value.values()) deepFreeze(item)
  }
  return value
}

// --- internal ---

function refuse(): never {
  throw new TypeError('this Map or Set belongs to a frozen config: it cannot be changed')
}

const LOCKED: PropertyDescriptorMap = {
  set: { value: refuse },
  add: { value: refuse },
  clear: { value: refuse },
  delete: { value: refuse },
}
