import type { z } from 'zod'

/** Any zod 4 schema, seen through its core interface. */
export type AnySchema = z.core.$ZodType

interface Def {
  readonly type: string
  readonly innerType?: AnySchema
  readonly shape?: Record<string, AnySchema>
  readonly catchall?: AnySchema
  readonly keyType?: AnySchema
  readonly valueType?: AnySchema
  readonly checks?: readonly unknown[]
  readonly element?: AnySchema
  readonly items?: readonly AnySchema[]
  readonly rest?: AnySchema | null
  readonly options?: readonly AnySchema[]
  readonly left?: AnySchema
  readonly right?: AnySchema
  readonly in?: AnySchema
  readonly out?: AnySchema
}

/** The schema's definition (zod's public `_zod.def`). */
export function defOf(schema: AnySchema): Def {
  return schema._zod.def as unknown as Def
}

/**
 * Every schema from the outside in, wrappers first, ending at the one that gives the shape.
 * A wrapper is what zod itself treats as one: a schema with an `innerType` (in its definition: `optional`,
 * `nullable`, `default`, `readonly`, `catch` ...; on its internals: `lazy`). Markers (`restart`, `secret`) may
 * sit on any of them.
 */
export function wrapperChain(schema: AnySchema): AnySchema[] {
  const chain: AnySchema[] = [schema]
  let current = schema
  for (;;) {
    const next = defOf(current).innerType ?? lazyInner(current)
    if (!next) return chain
    chain.push(next)
    current = next
  }
}

/**
 * The schema a `z.lazy` stands for: zod's cached one, so a getter that builds a new schema on every call still gives
 * one identity (recursive schemas are then a finite graph).
 */
export function lazyInner(schema: AnySchema): AnySchema | undefined {
  return (schema._zod as { readonly innerType?: AnySchema }).innerType
}

/** The schema that gives the value's shape, wrappers removed. */
export function unwrap(schema: AnySchema): AnySchema {
  const chain = wrapperChain(schema)
  return chain[chain.length - 1] ?? schema
}

/** The object shape when the (unwrapped) schema is an object. */
export function objectShape(schema: AnySchema): Readonly<Record<string, AnySchema>> | undefined {
  const def = defOf(unwrap(schema))
  return def.type === 'object' ? def.shape : undefined
}

/**
 * True when the schema takes a missing value itself, as zod decides it for an object key (`_zod.optin`): `optional`,
 * a `default` or `prefault`, a `catch`, and wrappers of these (`optional().nullable()`), but not `nullable` alone.
 */
export function isOptional(schema: AnySchema): boolean {
  return schema._zod.optin !== undefined
}

/** The schema of one child key: an object's shape or catchall, or a record's values. */
export function childSchema(schema: AnySchema, key: string): AnySchema | undefined {
  const def = defOf(unwrap(schema))
  if (def.type === 'object') {
    if (def.shape && Object.hasOwn(def.shape, key)) return def.shape[key]
    return def.catchall && defOf(def.catchall).type !== 'never' ? def.catchall : undefined
  }
  if (def.type === 'record') return def.valueType
  return undefined
}

/** True when an object schema keeps keys it does not name (`looseObject`, `catchall`). */
export function acceptsUnknownKeys(schema: AnySchema): boolean {
  const def = defOf(unwrap(schema))
  if (def.type === 'record') return true
  return def.type === 'object' && def.catchall !== undefined && defOf(def.catchall).type !== 'never'
}

/** True when the (unwrapped) schema is an object or record: a node to descend, not a leaf. */
export function isBranch(schema: AnySchema): boolean {
  const t = defOf(unwrap(schema)).type
  return t === 'object' || t === 'record'
}

/** The type name of the unwrapped schema (`number`, `boolean`, `enum`, `array`, ...). */
export function leafType(schema: AnySchema): string {
  return defOf(unwrap(schema)).type
}
