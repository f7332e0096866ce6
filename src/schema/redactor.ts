import { isPlainObject } from '../tree/paths.ts'
import type { Change, ConfigIssue, PendingRestart } from '../types.ts'
import { type SecretPosition, secretMap } from './secret-map.ts'
import type { AnySchema } from './shape.ts'

/** What a secret value is shown as. */
export const REDACTED = '[redacted]'

/** Hides the values of `secret` keys in anything shown to people. Built once per store from the schema. */
export interface Redactor {
  readonly hasSecrets: boolean
  /** True when the path is a secret key or lies below one. */
  isSecret(path: string): boolean
  /** The value with every secret at or below `path` replaced by `'[redacted]'`; the same value when there is none. */
  value(value: unknown, path?: string): unknown
  changes(changes: readonly Change[]): readonly Change[]
  /** `pendingRestart` entries with their `live` and `next` values redacted. */
  restarts(pending: readonly PendingRestart[]): readonly PendingRestart[]
  /**
   * Removes from free text (error messages from participants, zod, parsers, recipes) every secret value that
   * `sources` hold: configs or raw inputs (patches, layers, imported documents), each rooted at the config's root.
   */
  scrub(text: string, ...sources: unknown[]): string
  /** The issues with their messages, and the zod issues kept beside them, scrubbed as `scrub` does. */
  issues(issues: readonly ConfigIssue[], ...sources: unknown[]): ConfigIssue[]
}

/**
 * The redactor of a schema (see `secretMap` for the positions it covers). Throws a `ConfigError` (`BAD_OPTIONS`)
 * for a schema that puts a secret where it cannot be tracked.
 */
export function createRedactor(schema: AnySchema): Redactor {
  const map = secretMap(schema)
  const { root } = map

  function value(v: unknown, path = ''): unknown {
    if (!map.any || v === undefined) return v
    const at = map.at(path)
    return at ? redactAt(v, at, path === '') : v
  }

  /** The secret strings of `sources`, as one pattern; `undefined` when they hold none. */
  function patternOf(sources: readonly unknown[]): RegExp | undefined {
    if (!map.any) return undefined
    const found = new Set<string>()
    for (const source of sources) collect(source, root, found)
    return found.size === 0 ? undefined : secretPattern(found)
  }

  return {
    hasSecrets: map.any,
    isSecret: (path) => map.at(path)?.secret === true,
    value,
    changes(changes) {
      if (!map.any) return changes
      return changes.map((c) => {
        const at = map.at(c.path)
        return at && (at.secret || at.below)
          ? { path: c.path, from: redactAt(c.from, at, false), to: redactAt(c.to, at, false) }
          : c
      })
    },
    restarts(pending) {
      if (!map.any) return pending
      return pending.map((p) => ({ path: p.path, live: value(p.live, p.path), next: value(p.next, p.path) }))
    },
    scrub(text, ...sources) {
      const pattern = patternOf(sources)
      return pattern ? replaceSecrets(text, pattern) : text
    },
    issues(issues, ...sources) {
      const pattern = patternOf(sources)
      if (!pattern) return [...issues]
      return issues.map((i) => ({
        ...i,
        message: replaceSecrets(i.message, pattern),
        ...(i.zod ? { zod: scrubDeep(i.zod, pattern) as typeof i.zod } : {}),
      }))
    },
  }
}

// --- internal ---

/**
 * Secrets shorter than this are scrubbed from text only where they stand alone (not inside a longer word or number):
 * a one-character secret replaced everywhere would garble every message and, by the gaps, spell itself out.
 */
const SHORT_SECRET = 4

function redactAt(v: unknown, at: SecretPosition, root: boolean): unknown {
  if (v === undefined) return v
  // The root itself is never one string: its keys are redacted one by one.
  if (at.secret && !root) return REDACTED
  if (!at.secret && !at.below) return v
  if (Array.isArray(v)) return v.map((item, i) => redactChild(item, at, String(i)))
  if (!isPlainObject(v)) return v
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(v)) out[key] = redactChild(v[key], at, key)
  return out
}

function redactChild(v: unknown, at: SecretPosition, key: string): unknown {
  const child = at.child(key)
  return child ? redactAt(v, child, false) : v
}

/** Adds the text of every secret value in `v` (at position `at`) to `out`. */
function collect(v: unknown, at: SecretPosition, out: Set<string>): void {
  if (at.secret) {
    scalars(v, out)
    return
  }
  if (!at.below) return
  const entries = Array.isArray(v) ? v.entries() : isPlainObject(v) ? Object.entries(v) : []
  for (const [key, item] of entries) {
    const child = at.child(String(key))
    if (child) collect(item, child, out)
  }
}

/** Every string and number in a value (a secret object's leaves), iteratively. Booleans say too little to hide. */
function scalars(v: unknown, out: Set<string>): void {
  const stack = [v]
  while (stack.length > 0) {
    const node = stack.pop()
    if (typeof node === 'string' || typeof node === 'bigint' || typeof node === 'number') {
      const text = String(node)
      if (text !== '') out.add(text)
      // As `JSON.stringify` writes it too: a message that quotes a config escapes quotes and line breaks.
      const escaped = JSON.stringify(text).slice(1, -1)
      if (escaped !== text) out.add(escaped)
    } else if (node instanceof Map) stack.push(...node.keys(), ...node.values())
    else if (node instanceof Set || Array.isArray(node)) stack.push(...node)
    else if (isPlainObject(node)) stack.push(...Object.values(node))
  }
}

/** One pattern for all secrets, longest first, the short ones only where they stand alone. */
function secretPattern(secrets: ReadonlySet<string>): RegExp {
  const escaped = [...secrets]
    .sort((a, b) => b.length - a.length)
    .map((s) => {
      const e = s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      return s.length < SHORT_SECRET ? `(?<![\\p{L}\\p{N}_])${e}(?![\\p{L}\\p{N}_])` : e
    })
  return new RegExp(escaped.join('|'), 'gu')
}

// Split on the placeholder first, so scrubbing twice never rewrites one (a secret `act` inside "[redacted]").
function replaceSecrets(text: string, pattern: RegExp): string {
  return text
    .split(REDACTED)
    .map((piece) => piece.replace(pattern, REDACTED))
    .join(REDACTED)
}

/** A copy of a JSON-like value with every string scrubbed, except paths (keys are structure, not values). */
function scrubDeep(value: unknown, pattern: RegExp): unknown {
  if (typeof value === 'string') return replaceSecrets(value, pattern)
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, pattern))
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) out[key] = key === 'path' ? v : scrubDeep(v, pattern)
  return out
}
