import type { AnySchema } from '../schema/shape.ts'
import { defOf, leafType, unwrap } from '../schema/shape.ts'
import { isPlainObject } from '../tree/paths.ts'

/** An environment variable's text turned into the schema's type, or why it cannot be. */
export type Coerced = { readonly value: unknown } | { readonly error: string }

/**
 * Turns an environment variable's text into a value of the type the schema expects at its path:
 * - `number`: a finite number (`''`, `abc`, `NaN`, `Infinity` are refused);
 * - `bigint`: an integer;
 * - `boolean`: `true/false`, `1/0`, `yes/no`, `on/off`, in any case;
 * - `string`, `date`: the text as is (zod decides, e.g. `z.coerce.date()`);
 * - `enum`, `literal`: the allowed value whose text it is (so `z.literal(5)` accepts `5`), else the text;
 * - a union, `any`, `unknown` or a preprocess step: JSON when the text is JSON, else the text;
 * - objects and records: a JSON object; arrays and tuples: a JSON array; the rest: any JSON.
 *
 * A schema with a transform (`z.string().transform(...)`) is coerced by its input type. Error texts never repeat the
 * value: it may be a secret.
 */
export function coerceEnvValue(schema: AnySchema, raw: string): Coerced {
  const type = leafType(schema)
  switch (type) {
    case 'number': {
      const n = raw.trim() === '' ? Number.NaN : Number(raw)
      return Number.isFinite(n) ? { value: n } : { error: 'expected a finite number' }
    }
    case 'bigint':
      return /^\s*[-+]?\d+\s*$/.test(raw) ? { value: BigInt(raw.trim()) } : { error: 'expected an integer' }
    case 'boolean': {
      const value = BOOLEANS[raw.trim().toLowerCase()]
      return value === undefined ? { error: 'expected true/false, 1/0, yes/no or on/off' } : { value }
    }
    case 'string':
    case 'template_literal':
    case 'date':
      return { value: raw }
    case 'enum':
    case 'literal':
      return { value: allowedValue(schema, raw) }
    case 'pipe':
      return coerceEnvValue(pipeInput(schema), raw)
    case 'union':
    case 'any':
    case 'unknown':
    case 'transform':
      return parseJson(raw) ?? { value: raw }
    case 'object':
    case 'record':
      return jsonOf(raw, isPlainObject, 'a JSON object such as {"key": 1}')
    case 'array':
    case 'tuple':
      return jsonOf(raw, Array.isArray, 'a JSON array such as [1, 2]')
    default:
      return jsonOf(raw, () => true, `JSON (for a ${type})`)
  }
}

/**
 * The values an enum or literal schema allows (zod's `_zod.values`), none for other schemas.
 * @internal A candidate for `schema/shape.ts`.
 */
export function literalValues(schema: AnySchema): readonly unknown[] {
  return [...(unwrap(schema)._zod.values ?? [])]
}

// --- internal ---

const BOOLEANS: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
  on: true,
  off: false,
}

function parseJson(raw: string): { readonly value: unknown } | undefined {
  try {
    return { value: JSON.parse(raw) }
  } catch {
    return undefined
  }
}

/** JSON of the kind `fits` accepts, else an error saying what was expected (never the value: it may be a secret). */
function jsonOf(raw: string, fits: (value: unknown) => boolean, expected: string): Coerced {
  const parsed = parseJson(raw)
  return parsed !== undefined && fits(parsed.value) ? parsed : { error: `expected ${expected}` }
}

/** The enum member or literal whose text is `raw`; `raw` itself when none is (zod then says what is allowed). */
function allowedValue(schema: AnySchema, raw: string): unknown {
  for (const value of literalValues(schema)) if (String(value) === raw) return value
  return raw
}

/** What a pipe (`.transform()`, `.pipe()`) takes in. */
function pipeInput(schema: AnySchema): AnySchema {
  return (defOf(unwrap(schema)) as unknown as { readonly in: AnySchema }).in
}
