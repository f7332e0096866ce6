import { z } from 'zod'
import type { AnyStore } from './admin-context.ts'

/**
 * The store's schema as JSON Schema (`z.toJSONSchema`), with the `default` and `examples` of every secret key
 * redacted: a default API key is still an API key. Types with no JSON Schema form become `{}`.
 */
export function configJsonSchema(store: AnyStore, io: 'input' | 'output'): Record<string, unknown> {
  const schema = z.toJSONSchema(store.schema, { io, unrepresentable: 'any' }) as Record<string, unknown>
  redactNode(store, schema, '')
  return schema
}

// --- internal ---

type Node = Record<string, unknown>

const SAME_PATH = ['anyOf', 'oneOf', 'allOf', 'not', 'if', 'then', 'else'] as const
const DEFINITIONS = ['$defs', 'definitions'] as const

function redactNode(store: AnyStore, node: Node, path: string | undefined): void {
  if (path === undefined) {
    // Shared definitions have no single config path: drop their values rather than guess.
    delete node.default
    delete node.examples
  } else {
    if ('default' in node) node.default = store.redact(node.default, path)
    if (Array.isArray(node.examples)) node.examples = node.examples.map((e) => store.redact(e, path))
  }
  const child = (key: string) => (path === undefined ? undefined : path === '' ? key : `${path}.${key}`)
  for (const [key, sub] of entries(node.properties)) redactNode(store, sub, child(key))
  for (const [, sub] of entries(node.patternProperties)) redactNode(store, sub, child('*'))
  if (isNode(node.additionalProperties)) redactNode(store, node.additionalProperties, child('*'))
  if (isNode(node.items)) redactNode(store, node.items, child('*'))
  if (Array.isArray(node.prefixItems))
    for (const sub of node.prefixItems.filter(isNode)) redactNode(store, sub, child('*'))
  for (const key of SAME_PATH) {
    const sub = node[key]
    if (Array.isArray(sub)) for (const s of sub.filter(isNode)) redactNode(store, s, path)
    else if (isNode(sub)) redactNode(store, sub, path)
  }
  for (const key of DEFINITIONS) for (const [, sub] of entries(node[key])) redactNode(store, sub, undefined)
}

function entries(value: unknown): [string, Node][] {
  return isNode(value) ? Object.entries(value).filter((e): e is [string, Node] => isNode(e[1])) : []
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
