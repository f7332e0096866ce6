import { isDeepStrictEqual } from 'node:util'
import { z } from 'zod'
import { restart } from '../../src/index.ts'
import type { Change } from '../../src/types.ts'

/**
 * The schema the model-based properties run against: a restart key, a cross-field rule, an enum, a nested object
 * two levels down, an array and a record, so every kind of subtree can stay untouched while another changes.
 */
export const modelSchema = z.object({
  server: z.object({
    port: restart(z.number().int().min(1).max(65535)).default(8080),
    host: z.string().min(1).default('127.0.0.1'),
  }),
  pool: z
    .object({ min: z.number().int().min(0).default(2), max: z.number().int().max(100).default(10) })
    .refine((p) => p.min <= p.max, { message: 'pool.min must be <= pool.max' }),
  log: z.object({
    level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    sink: z.object({ file: z.string().default('app.log'), rotate: z.boolean().default(false) }),
  }),
  features: z.object({
    tags: z.array(z.string()).default([]),
    flags: z.record(z.string(), z.boolean()).default({}),
  }),
})

export type ModelConfig = z.output<typeof modelSchema>
export type Tree = Record<string, unknown>

/** What the oracle says about a candidate: the config it normalizes to, or every issue as `CODE@path`. */
export interface Judgement {
  readonly config: ModelConfig
  readonly issues: readonly string[]
}

/**
 * The oracle: the schema above written out by hand, so the store's incremental zod validation is checked against
 * something that shares none of its code. Mirrors the contract: unknown keys are issues, never stripped; a missing
 * object takes its children's defaults; a cross-field rule runs only once the object's own children pass.
 */
export function judge(candidate: unknown): Judgement {
  const issues: string[] = []
  const config = check(spec, candidate, '', issues) as ModelConfig
  return { config, issues: [...new Set(issues)].sort() }
}

/** Deep merge the way `update(patch)` promises: objects merge, arrays and scalars replace, `undefined` deletes. */
export function mergePatch(base: Tree, patch: Tree): Tree {
  for (const key of Object.keys(patch)) {
    const value = patch[key]
    if (value === undefined) delete base[key]
    else if (isObject(value) && isObject(base[key])) mergePatch(base[key] as Tree, value)
    else base[key] = structuredClone(value)
  }
  return base
}

/** `set(path, value)` on a plain copy: objects on the way are created (or replace a leaf); `undefined` deletes. */
export function setPath(base: Tree, path: string, value: unknown): Tree {
  const keys = path.split('.')
  let node = base
  for (const key of keys.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {}
    node = node[key] as Tree
  }
  const last = keys[keys.length - 1]!
  if (value === undefined) delete node[last]
  else node[last] = structuredClone(value)
  return base
}

/** Leaf changes between two configs (objects descended, arrays are leaves), sorted by path. */
export function diffConfigs(a: unknown, b: unknown, path = '', out: Change[] = []): Change[] {
  if ((isObject(a) || isObject(b)) && (isObject(a) || a === undefined) && (isObject(b) || b === undefined)) {
    const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])
    for (const key of keys) {
      diffConfigs((a as Tree | undefined)?.[key], (b as Tree | undefined)?.[key], join(path, key), out)
    }
  } else if (!isDeepStrictEqual(a, b)) {
    out.push({ path, from: a, to: b })
  }
  return path === '' ? sortChanges(out) : out
}

export function sortChanges(changes: readonly Change[]): Change[] {
  return [...changes].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))
}

/** `CODE@path` for each issue, deduplicated and sorted, the form `judge` answers in. */
export function issueKeys(issues: readonly { code: string; path: string }[]): string[] {
  return [...new Set(issues.map((i) => `${i.code}@${i.path}`))].sort()
}

/** Paths of every `__proto__`/`constructor`/`prototype` own key in a value. */
export function forbiddenPaths(value: unknown, path = ''): string[] {
  if (!isObject(value) && !Array.isArray(value)) return []
  return Object.keys(value).flatMap((key) =>
    FORBIDDEN.has(key) ? [join(path, key)] : forbiddenPaths((value as Tree)[key], join(path, key)),
  )
}

export function isDeepFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen)
}

/** True when one dotted path lies under the other (or they are equal). */
export function overlaps(a: string, b: string): boolean {
  const under = (p: string, q: string) => p === q || p.startsWith(`${q}.`)
  return under(a, b) || under(b, a)
}

export const FORBIDDEN: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

export function isObject(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

// --- internal ---

type Spec =
  | { readonly kind: 'object'; readonly fields: Record<string, Spec>; readonly rule?: (v: Tree) => boolean }
  | { readonly kind: 'leaf'; readonly ok: (v: unknown) => boolean; readonly fallback: unknown }
  | { readonly kind: 'list' | 'dict'; readonly item: (v: unknown) => boolean }

const int = (min: number, max: number) => (v: unknown) =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max
const leaf = (ok: (v: unknown) => boolean, fallback: unknown): Spec => ({ kind: 'leaf', ok, fallback })
const isString = (v: unknown) => typeof v === 'string'
const object = (fields: Record<string, Spec>, rule?: (v: Tree) => boolean): Spec =>
  rule ? { kind: 'object', fields, rule } : { kind: 'object', fields }

const spec: Spec = object({
  server: object({
    port: leaf(int(1, 65535), 8080),
    host: leaf((v) => isString(v) && (v as string).length > 0, '127.0.0.1'),
  }),
  pool: object(
    { min: leaf(int(0, Number.MAX_SAFE_INTEGER), 2), max: leaf(int(Number.MIN_SAFE_INTEGER, 100), 10) },
    (p) => (p.min as number) <= (p.max as number),
  ),
  log: object({
    level: leaf((v) => ['debug', 'info', 'warn', 'error'].includes(v as string), 'info'),
    sink: object({ file: leaf(isString, 'app.log'), rotate: leaf((v) => typeof v === 'boolean', false) }),
  }),
  features: object({
    tags: { kind: 'list', item: isString },
    flags: { kind: 'dict', item: (v) => typeof v === 'boolean' },
  }),
})

function check(s: Spec, value: unknown, path: string, issues: string[]): unknown {
  if (s.kind === 'leaf') {
    if (value === undefined) return s.fallback
    if (!s.ok(value)) issues.push(`INVALID@${path}`)
    return value
  }
  if (value === undefined) return s.kind === 'list' ? [] : s.kind === 'dict' ? {} : check(s, {}, path, issues)
  if (s.kind === 'list' ? !Array.isArray(value) : !isObject(value)) {
    issues.push(`INVALID@${path}`)
    return value
  }
  if (s.kind !== 'object') {
    for (const [key, item] of Object.entries(value as Tree)) {
      if (!s.item(item)) issues.push(`INVALID@${join(path, key)}`)
    }
    return value
  }
  const before = issues.length
  const out: Tree = {}
  for (const key of Object.keys(value as Tree)) {
    if (!Object.hasOwn(s.fields, key)) issues.push(`UNKNOWN_KEY@${join(path, key)}`)
  }
  for (const [key, child] of Object.entries(s.fields)) {
    out[key] = check(child, (value as Tree)[key], join(path, key), issues)
  }
  if (issues.length === before && s.rule && !s.rule(out)) issues.push(`INVALID@${path}`)
  return out
}
