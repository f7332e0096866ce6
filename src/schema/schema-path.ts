import { ConfigError, issue } from '../errors.ts'
import { type AnySchema, childSchema, defOf, unwrap } from './shape.ts'

/**
 * Throws a `ConfigError` `NOT_FOUND` when no value of `schema` can have a value at `path`: a key an object does not
 * name (and has no catchall for), a key below a scalar, or a key of an array that is not an index. Record keys are
 * free, and so is everything below a schema whose shape cannot be told without a value (a union, `unknown`, a pipe):
 * only what is certainly a typo is refused.
 */
export function checkSchemaPath(schema: AnySchema, path: string, segments: readonly string[]): void {
  let node: AnySchema | undefined = schema
  for (let i = 0; i < segments.length && node !== undefined; i++) {
    const key = segments[i]!
    const def = defOf(unwrap(node))
    let next: AnySchema | undefined
    if (def.type === 'object' || def.type === 'record') next = childSchema(node, key)
    else if (def.type === 'array' && INDEX.test(key)) next = (def as { element?: AnySchema }).element
    // Anything else that is not a plain scalar may take keys a value decides (a union, a pipe, `unknown`).
    else if (!SCALARS.has(def.type) && def.type !== 'array') return
    if (next === undefined) {
      const at = segments.slice(0, i).join('.')
      const where = at === '' ? 'the config' : `"${at}"`
      throw new ConfigError(issue('NOT_FOUND', path, `the schema has no key "${key}" in ${where} (${path})`))
    }
    node = next
  }
}

// --- internal ---

const INDEX = /^(0|[1-9]\d*)$/

/** Types whose values have no keys to read below them. */
const SCALARS = new Set([
  'string',
  'number',
  'int',
  'boolean',
  'bigint',
  'symbol',
  'null',
  'undefined',
  'void',
  'never',
  'nan',
  'date',
  'enum',
  'literal',
  'template_literal',
  'file',
])
