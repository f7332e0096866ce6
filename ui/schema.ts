/** The part of a JSON Schema (as `GET /schema?io=input` writes it) that the console reads. */
export interface JsonSchema {
  readonly type?: string | readonly string[]
  readonly properties?: Readonly<Record<string, JsonSchema>>
  readonly additionalProperties?: JsonSchema | boolean
  readonly items?: JsonSchema
  readonly enum?: readonly unknown[]
  readonly anyOf?: readonly JsonSchema[]
  readonly oneOf?: readonly JsonSchema[]
  readonly allOf?: readonly JsonSchema[]
  readonly 'x-hotconf-restart'?: boolean
  readonly 'x-hotconf-secret'?: boolean
}

/** How a leaf is edited: a number field, a checkbox-like select, a select of choices, text, or JSON. */
export type Kind = 'number' | 'boolean' | 'enum' | 'string' | 'json'

/** A config value by path: object keys, in order. */
export type Segments = readonly string[]

/** The schema of `key` inside `schema` (an object's property, a record's values, an array's items). */
export function childSchema(schema: JsonSchema | undefined, key: string): JsonSchema | undefined {
  const s = plain(schema)
  if (!s) return undefined
  if (s.properties && Object.hasOwn(s.properties, key)) return s.properties[key]
  if (typeof s.additionalProperties === 'object') return s.additionalProperties
  if (s.items && /^\d+$/.test(key)) return s.items
  return undefined
}

/** An object with named properties is a branch of the tree; a record, an array or a scalar is one leaf. */
export function isBranch(schema: JsonSchema | undefined, value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false
  const s = plain(schema)
  return s === undefined ? Object.keys(value).length > 0 : s.properties !== undefined
}

export function kindOf(schema: JsonSchema | undefined, value: unknown): Kind {
  const s = plain(schema)
  if (s?.enum) return 'enum'
  const type = typeOf(s) ?? (value === null ? undefined : typeof value)
  if (type === 'number' || type === 'integer') return 'number'
  if (type === 'boolean') return 'boolean'
  if (type === 'string') return 'string'
  return 'json'
}

/** True when `flag` is set on the schema or on the variant the console edits. */
export function flag(
  schema: JsonSchema | undefined,
  name: 'x-hotconf-restart' | 'x-hotconf-secret',
): boolean {
  return schema?.[name] === true || plain(schema)?.[name] === true
}

/** The enum choices of a leaf. */
export function choices(schema: JsonSchema | undefined): readonly unknown[] {
  return plain(schema)?.enum ?? []
}

/** What an edit control shows for a value. */
export function textOf(kind: Kind, value: unknown): string {
  if (kind === 'string') return typeof value === 'string' ? value : ''
  if (kind === 'json') return JSON.stringify(value, null, 2) ?? ''
  return JSON.stringify(value) ?? ''
}

/** What a leaf shows as its value: JSON, so a string's quotes and a number's type are visible. */
export function displayOf(value: unknown): string {
  return value === undefined ? '(unset)' : (JSON.stringify(value) ?? String(value))
}

/** The value an edit control's text stands for, or why it stands for none. */
export function parseText(
  kind: Kind,
  text: string,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string } {
  if (kind === 'string') return { ok: true, value: text }
  if (kind === 'number') {
    const n = Number(text)
    return text.trim() !== '' && Number.isFinite(n)
      ? { ok: true, value: n }
      : { ok: false, message: 'enter a number' }
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false, message: 'enter valid JSON' }
  }
}

/**
 * One JSON merge patch (RFC 7396) of every edit. A merge patch merges objects, so an edited object (a record in the
 * JSON editor) becomes the difference from its old value, with `null` for each key removed.
 */
export function mergePatchOf(
  edits: Iterable<{ readonly segments: Segments; readonly old: unknown; readonly value: unknown }>,
): Record<string, unknown> {
  const patch: Record<string, unknown> = {}
  for (const { segments, old, value } of edits) {
    let at = patch
    for (const key of segments.slice(0, -1)) {
      const next = at[key]
      const inner = isObject(next) ? next : {}
      at[key] = inner
      at = inner
    }
    const last = segments[segments.length - 1]
    if (last !== undefined) at[last] = difference(old, value)
  }
  return patch
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** The dotted path the API speaks. */
export function dotted(segments: Segments): string {
  return segments.join('.')
}

/** True when one path is the other or lies under it. */
export function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`) || a === '' || b === ''
}

// --- internal ---

/** The variant that is not `null` of a nullable or optional schema. */
function plain(schema: JsonSchema | undefined): JsonSchema | undefined {
  const variants = schema?.anyOf ?? schema?.oneOf
  if (!variants) return schema?.allOf?.length === 1 ? schema.allOf[0] : schema
  return variants.find((v) => typeOf(v) !== 'null') ?? schema
}

function typeOf(schema: JsonSchema | undefined): string | undefined {
  const type = schema?.type
  return Array.isArray(type) ? type.find((t) => t !== 'null') : (type as string | undefined)
}

function difference(old: unknown, value: unknown): unknown {
  if (!isObject(old) || !isObject(value)) return value
  const patch: Record<string, unknown> = {}
  for (const key of Object.keys(old)) if (!Object.hasOwn(value, key)) patch[key] = null
  for (const [key, v] of Object.entries(value)) {
    if (JSON.stringify(old[key]) !== JSON.stringify(v)) patch[key] = difference(old[key], v)
  }
  return patch
}
