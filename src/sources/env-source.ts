import { ConfigError, issue } from '../errors.ts'
import { checkData } from '../formats/parse-document.ts'
import {
  type AnySchema,
  childSchema,
  defOf,
  isBranch,
  leafType,
  objectShape,
  unwrap,
} from '../schema/shape.ts'
import { FORBIDDEN_KEYS } from '../tree/forbidden.ts'
import { setIn } from '../tree/patch.ts'
import { isUnder } from '../tree/paths.ts'
import type { ConfigIssue, ConfigSource, SourceContext, SourceData, ValueOrigin } from '../types.ts'
import { coerceEnvValue, literalValues } from './env-coerce.ts'

/** Options of `envSource`. */
export interface EnvSourceOptions {
  /** Only variables starting with this (case-sensitive) are read, e.g. `APP_`. */
  readonly prefix: string
  /** Splits the rest of a variable's name into nested keys: `APP_POOL__MAX` → `pool.max`. @default '__' */
  readonly separator?: string
  /** Where variables come from; read again on every load. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>
  /**
   * What a variable under the prefix that names no schema key does (platforms inject such variables, e.g. `APP_ENV`
   * read by the app itself): `'warn'` leaves it out and reports it once as an `UNKNOWN_KEY` warning
   * (`status().warnings`, the logger); `'error'` refuses the layer (start-up fails, a reload is rejected);
   * `'ignore'` leaves it out silently.
   * @default 'warn'
   */
  readonly unknown?: 'warn' | 'error' | 'ignore'
}

/**
 * A layer from environment variables, matched against the schema and coerced to its types.
 *
 * The prefix is removed and the rest split on the separator; each part names a key of the schema, compared without
 * case and ignoring single underscores, so `APP_API_KEY` sets `apiKey` (or `api_key`) and
 * `APP_FEATURE_FLAGS__NEW_UI` sets `featureFlags.newUi`. Record keys:
 * - a record whose keys are an enum (`z.record(z.enum(['eu', 'us']), …)`) matches them the same way: `APP_LIMITS__EU`
 *   sets `limits.eu`;
 * - otherwise (and for an object's catchall) the part is the key: lower-cased when written all in capitals, as env
 *   names usually are (`APP_LIMITS__EU_WEST` sets `limits.eu_west`), else kept as written (`APP_LIMITS__euWest` sets
 *   `limits.euWest`).
 *
 * Values are coerced by the schema's type at the path: a finite number (not `''`, `NaN`, `Infinity`); an integer for a
 * bigint; `true/false`, `1/0`, `yes/no`, `on/off` in any case for a boolean; the text for strings, enums and literals;
 * a JSON object for objects and records, a JSON array for arrays and tuples; JSON, else the text, for a union. A parent's JSON and a variable below it combine, the deeper variable winning:
 * `APP_POOL='{"min":1,"max":2}'` with `APP_POOL__MAX=9` gives `{ min: 1, max: 9 }`.
 *
 * Every problem is collected before one `ConfigError` is thrown, each issue naming its variable in `source`: a value
 * of the wrong type (`INVALID`), two variables for one path (`INVALID`), a name that matches two schema keys
 * (`UNKNOWN_KEY`), and `__proto__`, `constructor` or `prototype` in a name or a JSON value (`FORBIDDEN_KEY`). A
 * variable that names no schema key is left out with an `UNKNOWN_KEY` warning, or as `unknown` says.
 * `explain()` names the variable behind each value (`env:APP_POOL__MAX`).
 *
 * @example
 * // APP_POOL__MAX=20 APP_FEATURES__NEW_UI=yes APP_FEATURES__TAGS='["a","b"]'
 * const store = await createConfigStore({ schema, sources: [fileSource('config.yaml'), envSource({ prefix: 'APP_' })] })
 */
export function envSource(options: EnvSourceOptions): ConfigSource {
  const { prefix, separator = '__', env = process.env, unknown = 'warn' } = options
  const bad = (message: string) => new ConfigError(issue('BAD_OPTIONS', '', `envSource: ${message}`))
  if (typeof prefix !== 'string' || prefix === '') {
    throw bad('prefix must be a non-empty string such as "APP_" (without one, every variable would be read)')
  }
  if (typeof separator !== 'string' || separator === '') throw bad('separator must be a non-empty string')
  if (unknown !== 'warn' && unknown !== 'error' && unknown !== 'ignore')
    throw bad(`unknown must be 'warn', 'error' or 'ignore', got ${String(unknown)}`)
  const name = `env:${prefix}*`

  return {
    name,
    async load(ctx: SourceContext): Promise<SourceData> {
      const issues: ConfigIssue[] = []
      const warnings: ConfigIssue[] = []
      const found: Found[] = []
      for (const variable of Object.keys(env).sort()) {
        const raw = env[variable]
        if (raw === undefined || !variable.startsWith(prefix)) continue
        const read = readVariable(ctx.schema, variable, variable.slice(prefix.length).split(separator), raw)
        if ('unknown' in read) {
          if (unknown === 'error') issues.push(read.unknown)
          else if (unknown === 'warn')
            warnings.push({ ...read.unknown, message: `${read.unknown.message}; ${IGNORED}` })
        } else if ('issues' in read) issues.push(...read.issues)
        else found.push(read)
      }
      const byPath = new Map<string, string>()
      for (const f of found) {
        const other = byPath.get(f.path)
        if (other === undefined) byPath.set(f.path, f.variable)
        else
          issues.push(
            issue('INVALID', f.path, `${other} and ${f.variable} both set ${f.path}`, { source: f.variable }),
          )
      }
      if (issues.length > 0) throw new ConfigError(issues)

      const data: Record<string, unknown> = {}
      // Parents first, so `APP_POOL='{"min":1}'` and `APP_POOL__MAX=9` combine into one object.
      found.sort((a, b) => a.segments.length - b.segments.length)
      for (const f of found) setIn(data, f.segments, f.value)
      return {
        data,
        name,
        origin: (path) => originOf(byPath, path),
        locate: (paths) => paths.map((path) => variableAt(byPath, path)),
        ...(warnings.length > 0 ? { warnings } : {}),
      }
    },
  }
}

// --- internal ---

const IGNORED = "left out (envSource's unknown: 'error' refuses it, 'ignore' stays silent)"

interface Found {
  readonly variable: string
  readonly segments: readonly string[]
  readonly path: string
  readonly value: unknown
}

/** One variable's path and coerced value, or what is wrong with it (every issue names the variable). */
function readVariable(
  schema: AnySchema,
  variable: string,
  parts: readonly string[],
  raw: string,
): Found | { readonly issues: readonly ConfigIssue[] } | { readonly unknown: ConfigIssue } {
  const located = locate(schema, parts, variable)
  if ('unknown' in located) return located
  if ('issue' in located) return { issues: [located.issue] }
  const path = located.path.join('.')
  const coerced = coerceEnvValue(located.schema, raw)
  if ('error' in coerced) {
    return { issues: [issue('INVALID', path, `${variable}: ${coerced.error}`, { source: variable })] }
  }
  const problems = checkData(coerced.value, path)
  if (problems.length > 0) return { issues: problems.map((p) => ({ ...p, source: variable })) }
  return { variable, segments: located.path, path, value: coerced.value }
}

/** The schema path a variable's name parts lead to, with the schema there. */
function locate(
  root: AnySchema,
  parts: readonly string[],
  variable: string,
):
  | { readonly path: string[]; readonly schema: AnySchema }
  | { readonly issue: ConfigIssue }
  | { readonly unknown: ConfigIssue } {
  const path: string[] = []
  let schema = root
  for (const part of parts) {
    if (FORBIDDEN_KEYS.has(part.toLowerCase())) {
      const at = [...path, part.toLowerCase()].join('.')
      return {
        issue: issue('FORBIDDEN_KEY', at, `${variable}: key "${part}" is not allowed`, { source: variable }),
      }
    }
    const key = part === '' || !isBranch(schema) ? undefined : keyFor(schema, part)
    const child = key === undefined ? undefined : childSchema(schema, key)
    if (key === undefined || child === undefined) {
      const at = [...path, part].join('.')
      const found = issue('UNKNOWN_KEY', at, unknownMessage(variable, schema, path, part), {
        source: variable,
      })
      // A name that matches two keys is a mistake in the config, not a variable meant for someone else.
      return ambiguous(schema, part) ? { issue: found } : { unknown: found }
    }
    path.push(key)
    schema = child
  }
  return { path, schema }
}

/**
 * The schema key a name part stands for: a key the schema names (an object's keys, a record's enum keys), exactly,
 * else compared without case and single underscores; else, for a record or catchall, the part itself (see `envSource`).
 */
function keyFor(schema: AnySchema, part: string): string | undefined {
  const keys = knownKeys(schema)
  if (keys.includes(part)) return part
  const matches = matchesOf(schema, part)
  if (matches.length === 1) return matches[0]
  // Ambiguous (`apiKey` and `api_key` both in the schema) or unnamed: only a record or catchall may take it.
  if (matches.length > 0) return undefined
  return part === part.toUpperCase() ? part.toLowerCase() : part
}

/** The keys a schema names: an object's, or the values of a record's enum or literal key schema. */
function knownKeys(schema: AnySchema): string[] {
  const { keyType } = defOf(unwrap(schema))
  if (leafType(schema) === 'record' && keyType) return literalValues(keyType).map(String)
  return Object.keys(objectShape(schema) ?? {})
}

function normalize(key: string): string {
  return key.replaceAll('_', '').toLowerCase()
}

/** True when a name part matches more than one key the schema names. */
function ambiguous(schema: AnySchema, part: string): boolean {
  return isBranch(schema) && matchesOf(schema, part).length > 1
}

function matchesOf(schema: AnySchema, part: string): string[] {
  return knownKeys(schema).filter((k) => normalize(k) === normalize(part))
}

function unknownMessage(variable: string, schema: AnySchema, path: readonly string[], part: string): string {
  const where = path.length === 0 ? 'the config' : `"${path.join('.')}"`
  if (part === '') return `${variable} has an empty key part (check the separator)`
  if (!isBranch(schema)) return `${variable} names a key below ${where}, which has no keys`
  const keys = knownKeys(schema)
  const matches = matchesOf(schema, part)
  if (matches.length > 1)
    return `${variable}: "${part}" matches more than one key of ${where}: ${matches.join(', ')}`
  const known = keys.length > 0 ? ` (keys: ${keys.join(', ')})` : ''
  return `${variable} names no key of ${where}: nothing matches "${part}"${known}`
}

/** `env:<VAR>` for a path a variable set, or one below it. */
function originOf(byPath: ReadonlyMap<string, string>, path: string): string | undefined {
  const variable = variableAbove(byPath, path)
  return variable === undefined ? undefined : `env:${variable}`
}

function variableAbove(byPath: ReadonlyMap<string, string>, path: string): string | undefined {
  for (let at = path; at !== ''; at = at.slice(0, Math.max(0, at.lastIndexOf('.')))) {
    const variable = byPath.get(at)
    if (variable !== undefined) return variable
  }
  return undefined
}

/** The variable that set `path` (or a parent of it), else the first that set a value under it (an object's). */
function variableAt(byPath: ReadonlyMap<string, string>, path: string): ValueOrigin | undefined {
  let variable = variableAbove(byPath, path)
  for (const [at, name] of byPath) {
    if (variable !== undefined) break
    if (isUnder(at, path)) variable = name
  }
  return variable === undefined ? undefined : { source: variable }
}
