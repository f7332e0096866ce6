import type { z } from 'zod'
import { issue } from '../errors.ts'
import { FORBIDDEN_KEYS } from '../tree/forbidden.ts'
import { isPlainObject, joinPath } from '../tree/paths.ts'
import { keysIn, type Scope } from '../tree/scope.ts'
import { copyObject } from '../tree/wide-object.ts'
import type { ConfigIssue } from '../types.ts'
import { type AnySchema, acceptsUnknownKeys, defOf, isOptional, unwrap } from './shape.ts'

/**
 * Validates `next` against the schema, descending only where it differs from `prev` (the last valid config):
 * a subtree with the same identity was valid before and is skipped, so the cost follows the change.
 * Objects are walked key by key (unknown keys are `UNKNOWN_KEY`, never stripped); an object with its own
 * refinements is parsed whole once its children pass, so cross-field rules always run on a change below them.
 * Returns the parsed value (defaults filled, coercions applied), reusing `next`'s objects where nothing changed.
 * With a `scope` (where `next` may differ from `prev`), an object is visited at the keys it names only.
 */
export function checkTree(
  schema: AnySchema,
  next: unknown,
  prev: unknown,
  issues: ConfigIssue[],
  path = '',
  scope?: Scope,
): unknown {
  if (next === prev && prev !== undefined) return prev
  const inner = unwrap(schema)
  const def = defOf(inner)
  if (def.type === 'object' || def.type === 'record') {
    if (isPlainObject(next)) {
      const before = isPlainObject(prev) ? prev : undefined
      return checkObject(inner, next, before, issues, path, before && scope)
    }
    // A nested object without a default of its own takes its children's defaults.
    if (next === undefined && def.type === 'object' && !isOptional(schema)) {
      return checkObject(inner, {}, undefined, issues, path, undefined)
    }
  }
  return parseLeaf(schema, next, issues, path)
}

/**
 * `scope` where `checkTree` walks objects key by key (an object or record schema): below any other schema (a
 * transform, a union) it parses the value whole, and the value may change anywhere, so the scope there is the
 * whole subtree.
 */
export function schemaScope(schema: AnySchema, scope: Scope | undefined): Scope | undefined {
  if (scope === undefined) return undefined
  const inner = unwrap(schema)
  const def = defOf(inner)
  if (def.type !== 'object' && def.type !== 'record') return undefined
  const { shape, extra } = fieldsOf(inner, def)
  const out = new Map<string, Scope | undefined>()
  for (const [key, below] of scope) {
    const child = Object.hasOwn(shape, key) ? shape[key] : extra
    out.set(key, child === undefined ? undefined : schemaScope(child, below))
  }
  return out
}

/** zod issues as hotconf issues, with the dotted path below `prefix`. */
export function fromZodIssues(zodIssues: readonly z.core.$ZodIssue[], prefix: string): ConfigIssue[] {
  const out: ConfigIssue[] = []
  for (const zi of zodIssues) {
    const at = zi.path.reduce<string>((p, k) => joinPath(p, String(k)), prefix)
    if (zi.code === 'unrecognized_keys') {
      for (const key of zi.keys)
        out.push(issue('UNKNOWN_KEY', joinPath(at, key), `unknown key "${key}"`, { zod: zi }))
    } else {
      out.push(issue('INVALID', at, zi.message, { zod: zi }))
    }
  }
  return out
}

// --- internal ---

function parseLeaf(schema: AnySchema, value: unknown, issues: ConfigIssue[], path: string): unknown {
  const result = (schema as z.ZodType).safeParse(value)
  if (result.success) return result.data
  issues.push(...fromZodIssues(result.error.issues, path))
  return value
}

function checkObject(
  inner: AnySchema,
  next: Record<string, unknown>,
  prev: Record<string, unknown> | undefined,
  issues: ConfigIssue[],
  path: string,
  scope: Scope | undefined,
): unknown {
  const def = defOf(inner)
  const before = issues.length
  // Copied on the first child whose parsed value differs, so an unchanged object keeps its identity.
  let out: Record<string, unknown> | undefined
  const { shape, extra } = fieldsOf(inner, def)
  // A key `prev` held with the same value was valid then: skipped before its path string is even built. (Plain
  // loops, no closures: this runs for every object on a changed path.)
  for (const key of keysIn(next, scope)) {
    if (prev !== undefined && next[key] !== undefined && next[key] === prev[key]) continue
    if (FORBIDDEN_KEYS.has(key)) {
      issues.push(issue('FORBIDDEN_KEY', joinPath(path, key), `key "${key}" is not allowed`))
    } else if (def.type === 'record' && def.keyType && !(def.keyType as z.ZodType).safeParse(key).success) {
      issues.push(issue('INVALID', joinPath(path, key), `key "${key}" is not allowed here`))
    } else if (!Object.hasOwn(shape, key)) {
      if (extra) {
        const child = checkTree(extra, next[key], prev?.[key], issues, joinPath(path, key), scope?.get(key))
        out = put(out, next, key, child)
      } else issues.push(issue('UNKNOWN_KEY', joinPath(path, key), `unknown key "${key}"`))
    }
  }
  // Outside the scope every key of the shape holds `prev`'s value, which was checked then.
  for (const key of keysIn(shape, scope)) {
    if (prev !== undefined && next[key] !== undefined && next[key] === prev[key]) continue
    const child = checkTree(shape[key]!, next[key], prev?.[key], issues, joinPath(path, key), scope?.get(key))
    out = put(out, next, key, child)
  }
  const value = out ?? next
  if (issues.length === before && (def.checks?.length ?? 0) > 0) {
    // Cross-field rules (refine/superRefine on this object) see the whole parsed object.
    const result = (inner as z.ZodType).safeParse(value)
    if (!result.success) issues.push(...fromZodIssues(result.error.issues, path))
  }
  return value
}

/** An object or record schema's named keys, and the schema of any other key (none: such a key is unknown). */
function fieldsOf(
  inner: AnySchema,
  def: ReturnType<typeof defOf>,
): { shape: Readonly<Record<string, AnySchema>>; extra: AnySchema | undefined } {
  const shape = def.type === 'object' ? (def.shape ?? {}) : {}
  const extra = def.type === 'record' ? def.valueType : acceptsUnknownKeys(inner) ? def.catchall : undefined
  return { shape, extra }
}

/** `out` (or a copy of `next`, made on the first difference) with `key` set to its parsed value. */
function put(
  out: Record<string, unknown> | undefined,
  next: Record<string, unknown>,
  key: string,
  value: unknown,
): Record<string, unknown> | undefined {
  if (Object.hasOwn(next, key) ? value === next[key] : value === undefined) return out
  const copy = out ?? copyObject(next)
  if (value === undefined) delete copy[key]
  else copy[key] = value
  return copy
}
