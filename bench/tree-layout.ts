import { z } from 'zod'

/**
 * The baseline's "tree" layout: a balanced tree with fan-out 10 and integer leaves, 10^depth keys (100 keys at
 * depth 2, 10,000 at depth 4). The changed leaf is `k3.k3…`, so its parent object holds 10 keys.
 */
export interface TreeLayout {
  readonly keys: number
  readonly schema: z.ZodObject
  /** A plain tree, as JSON.parse would give it (every leaf is 1). */
  readonly value: Record<string, any>
  /** The changed leaf, e.g. `['k3', 'k3']`. */
  readonly leaf: readonly string[]
  /** The same as a dotted path, e.g. `k3.k3`. */
  readonly path: string
  /** The schema of the leaf's parent object: what the floor validates. */
  readonly parentSchema: z.ZodObject
}

/** A tree of `keys` leaves (a power of ten, ≥ 100). Each node has its own schema object, as a real schema would. */
export function treeLayout(keys: number): TreeLayout {
  const depth = Math.round(Math.log10(keys))
  if (10 ** depth !== keys || depth < 2) throw new Error(`treeLayout: ${keys} is not a power of ten ≥ 100`)
  const [schema, value] = build(depth)
  const leaf = Array<string>(depth).fill('k3')
  let parentSchema = schema
  for (const key of leaf.slice(0, -1)) parentSchema = parentSchema.shape[key] as z.ZodObject
  return { keys, schema, value, leaf, path: leaf.join('.'), parentSchema }
}

/** convict's schema for the same tree (`format: 'int'` leaves). */
export function convictTree(keys: number): Record<string, unknown> {
  const node = (depth: number): Record<string, unknown> =>
    depth === 0
      ? { format: 'int', default: 1 }
      : Object.fromEntries(Array.from({ length: FAN_OUT }, (_, i) => [`k${i}`, node(depth - 1)]))
  return node(Math.round(Math.log10(keys)))
}

/** The leaf path of the i-th key in visiting order, e.g. for depth 4 and i = 1234: `k1.k2.k3.k4`. */
export function nthLeaf(keys: number, i: number): string {
  const depth = Math.round(Math.log10(keys))
  const digits = String(i % keys).padStart(depth, '0')
  return [...digits].map((d) => `k${d}`).join('.')
}

// --- internal ---

const FAN_OUT = 10

function build(depth: number): [z.ZodObject, Record<string, any>] {
  const shape: Record<string, z.ZodType> = {}
  const value: Record<string, unknown> = {}
  for (let i = 0; i < FAN_OUT; i++) {
    if (depth === 1) {
      shape[`k${i}`] = z.number().int()
      value[`k${i}`] = 1
    } else {
      const [s, v] = build(depth - 1)
      shape[`k${i}`] = s
      value[`k${i}`] = v
    }
  }
  return [z.object(shape), value]
}
