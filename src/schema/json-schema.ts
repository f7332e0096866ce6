import { z } from 'zod'
import { isMarked } from './markers.ts'
import { createRedactor, REDACTED, type Redactor } from './redactor.ts'
import type { AnySchema } from './shape.ts'

/** What `configJsonSchema` describes. */
export interface ConfigJsonSchemaOptions {
  /** `'output'`: the config as read; `'input'`: what may be written (defaulted keys optional). @default 'output' */
  readonly io?: 'input' | 'output'
  /**
   * Describe the config as every response shows it: each secret is the string `'[redacted]'` (`const`), so a
   * validator checking responses accepts what the admin API really sends. Otherwise secrets keep their type and are
   * marked `writeOnly: true`. @default false
   */
  readonly redacted?: boolean
}

/** Marks `configJsonSchema` puts on keys: a key that only a restart may change. */
export const RESTART_KEYWORD = 'x-hotconf-restart'
/** Marks `configJsonSchema` puts on keys: a secret, shown as `'[redacted]'` everywhere. */
export const SECRET_KEYWORD = 'x-hotconf-secret'

/**
 * The config schema as JSON Schema (draft 2020-12, zod 4's `z.toJSONSchema`), from the schema alone: no store needed,
 * so tools can print it offline. Secret keys are `writeOnly: true` and `x-hotconf-secret: true`, and their `default`
 * and `examples` are redacted (a default API key is still an API key; under shared `$defs`, which have no single
 * path, defaults and examples are dropped). Keys marked `restart()` carry `x-hotconf-restart: true`. Types with no
 * JSON Schema form become `{}`. Throws `BAD_OPTIONS` for a schema `createConfigStore` would refuse (a secret record
 * key).
 * @example configJsonSchema(schema, { io: 'input' }).properties
 */
export function configJsonSchema(
  schema: AnySchema,
  { io = 'output', redacted = false }: ConfigJsonSchemaOptions = {},
): Record<string, unknown> {
  const redactor = createRedactor(schema)
  const json = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    // Marks sit on zod schemas, not paths: this also reaches recursive schemas' `$defs`.
    override: ({ zodSchema, jsonSchema }) => {
      if (isMarked(zodSchema, 'restart')) (jsonSchema as Node)[RESTART_KEYWORD] = true
      if (isMarked(zodSchema, 'secret')) markSecret(jsonSchema as Node, redacted)
    },
  }) as Node
  walk({ redactor, redacted }, json, '')
  return json
}

// --- internal ---

type Node = Record<string, unknown>

interface Walk {
  readonly redactor: Redactor
  readonly redacted: boolean
}

const SAME_PATH = ['anyOf', 'oneOf', 'allOf', 'not', 'if', 'then', 'else'] as const
const DEFINITIONS = ['$defs', 'definitions'] as const
// What a secret keeps in the redacted view: the words about it, never its type (the value shown is a string).
const KEPT = new Set(['title', 'description', 'deprecated', 'readOnly', RESTART_KEYWORD])

function markSecret(node: Node, redacted: boolean): void {
  if (redacted) {
    for (const key of Object.keys(node)) if (!KEPT.has(key)) delete node[key]
    node.const = REDACTED
  } else {
    node.writeOnly = true
    if ('default' in node) node.default = REDACTED
    if (Array.isArray(node.examples)) node.examples = node.examples.map(() => REDACTED)
  }
  node[SECRET_KEYWORD] = true
}

/** Redacts defaults and examples by config path, and marks the secrets the schema computes (transforms, unions). */
function walk(w: Walk, node: Node, path: string | undefined): void {
  if (path === undefined) {
    // Shared definitions have no single config path: drop their values rather than guess.
    delete node.default
    delete node.examples
  } else {
    if (path !== '' && w.redactor.isSecret(path) && node[SECRET_KEYWORD] !== true)
      markSecret(node, w.redacted)
    if ('default' in node) node.default = w.redactor.value(node.default, path)
    if (Array.isArray(node.examples)) node.examples = node.examples.map((e) => w.redactor.value(e, path))
  }
  const child = (key: string) => (path === undefined ? undefined : path === '' ? key : `${path}.${key}`)
  for (const [key, sub] of entries(node.properties)) walk(w, sub, child(key))
  for (const [, sub] of entries(node.patternProperties)) walk(w, sub, child('*'))
  if (isNode(node.additionalProperties)) walk(w, node.additionalProperties, child('*'))
  if (isNode(node.items)) walk(w, node.items, child('*'))
  if (Array.isArray(node.prefixItems)) {
    node.prefixItems.forEach((sub, i) => {
      if (isNode(sub)) walk(w, sub, child(String(i)))
    })
  }
  for (const key of SAME_PATH) {
    const sub = node[key]
    if (Array.isArray(sub)) for (const s of sub.filter(isNode)) walk(w, s, path)
    else if (isNode(sub)) walk(w, sub, path)
  }
  for (const key of DEFINITIONS) for (const [, sub] of entries(node[key])) walk(w, sub, undefined)
}

function entries(value: unknown): [string, Node][] {
  return isNode(value) ? Object.entries(value).filter((e): e is [string, Node] => isNode(e[1])) : []
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
