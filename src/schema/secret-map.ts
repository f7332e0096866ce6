import { ConfigError, issue } from '../errors.ts'
import { joinPath, splitPath } from '../tree/paths.ts'
import { isMarked } from './markers.ts'
import { type AnySchema, defOf, lazyInner, unwrap, wrapperChain } from './shape.ts'

/** One position of the config as the schema sees it: which values there are secret. */
export interface SecretPosition {
  /** The value here is a secret, and so is everything below it. */
  readonly secret: boolean
  /** Some position below this one is secret. */
  readonly below: boolean
  /** The position of one key (an object key, a record key, an array index); `undefined` where the schema has none. */
  child(key: string): SecretPosition | undefined
}

/** Where a schema puts its secrets, position by position. Built once per schema (see `secretMap`). */
export interface SecretMap {
  /** True when the schema marks any secret. */
  readonly any: boolean
  readonly root: SecretPosition
  /** The position at a dotted path: the secret above it when the path lies below a secret. */
  at(path: string): SecretPosition | undefined
}

/**
 * The secrets of a schema, in every position a schema can put one: object keys and catchalls, record values, array
 * elements, tuple items, the options of unions (discriminated or not), both sides of an intersection, `lazy` schemas
 * (recursive ones too), and every wrapper (`optional`, `default`, `readonly`, ...), marked outside or inside it.
 * A position whose value the schema computes (`.transform()`, `.pipe()`, `z.preprocess`) from an input holding a
 * secret is a secret as a whole, as is any other container (`z.map`, `z.set`, a template literal) holding one.
 * Unions are merged: a key secret in one option is secret at that path whatever option the value matches.
 *
 * Throws a `ConfigError` (`BAD_OPTIONS`, naming the path) for the one position that cannot be tracked: a secret in
 * a record's key schema, because keys appear in paths, issues and change records.
 */
export function secretMap(schema: AnySchema): SecretMap {
  let map = cache.get(schema)
  if (!map) {
    map = buildMap(schema)
    cache.set(schema, map)
  }
  return map
}

/** For the parsers (`SecretTest`): true for a dotted path at or below a secret of `schema`. */
export function secretTest(schema: AnySchema): (path: string) => boolean {
  const map = secretMap(schema)
  return (path) => map.at(path)?.secret === true
}

// --- internal ---

const cache = new WeakMap<AnySchema, SecretMap>()

/** The position below a secret: secret all the way down. */
const SECRET: SecretPosition = { secret: true, below: true, child: () => SECRET }

function buildMap(schema: AnySchema): SecretMap {
  const reaching = schemasReachingSecret(schema)
  const positions = new Map<string, Position>()
  const ids = new Map<AnySchema, number>()
  const idOf = (s: AnySchema) => {
    const id = ids.get(s) ?? ids.size
    ids.set(s, id)
    return id
  }
  // One position per set of shape schemas: a recursive schema gives a finite graph of positions.
  const positionOf = (schemas: readonly AnySchema[]): SecretPosition | undefined => {
    if (schemas.length === 0) return undefined
    const { secret, branches } = expand(schemas, reaching)
    if (secret) return SECRET
    const key = branches
      .map(idOf)
      .sort((a, b) => a - b)
      .join(',')
    const found = positions.get(key) ?? new Position(branches, reaching, positionOf)
    positions.set(key, found)
    return found
  }
  const root = positionOf([schema]) ?? new Position([], reaching, positionOf)
  return {
    any: reaching.size > 0,
    root,
    at(path) {
      let position: SecretPosition | undefined = root
      for (const key of splitPath(path)) {
        if (!position || position.secret) return position
        position = position.child(key)
      }
      return position
    },
  }
}

/** The shape schemas (objects, records, arrays, tuples) that one position may hold, and their children by key. */
class Position implements SecretPosition {
  readonly secret = false
  readonly below: boolean
  readonly #branches: readonly AnySchema[]
  readonly #named = new Map<string, SecretPosition | undefined>()
  #any: { readonly position: SecretPosition | undefined } | undefined
  readonly #positionOf: (schemas: readonly AnySchema[]) => SecretPosition | undefined

  constructor(
    branches: readonly AnySchema[],
    reaching: ReadonlySet<AnySchema>,
    positionOf: (schemas: readonly AnySchema[]) => SecretPosition | undefined,
  ) {
    this.#branches = branches
    this.#positionOf = positionOf
    this.below = branches.some((b) => childSchemas(b).some((c) => reaching.has(c)))
  }

  child(key: string): SecretPosition | undefined {
    // Keys no branch names (record keys, array indices) share one position: the cache stays as small as the schema.
    const named = this.#branches.some((b) => namesKey(b, key))
    if (!named) {
      this.#any ??= { position: this.#positionOf(this.#branches.flatMap((b) => childrenAt(b, key))) }
      return this.#any.position
    }
    if (!this.#named.has(key))
      this.#named.set(key, this.#positionOf(this.#branches.flatMap((b) => childrenAt(b, key))))
    return this.#named.get(key)
  }
}

/**
 * The schemas `schemas` stand for at one position, wrappers, unions and intersections opened; `secret` when any of
 * them is marked, or computes its value from a secret, or holds one in a container this module does not descend.
 */
function expand(
  schemas: readonly AnySchema[],
  reaching: ReadonlySet<AnySchema>,
): { secret: boolean; branches: AnySchema[] } {
  const branches: AnySchema[] = []
  const seen = new Set<AnySchema>()
  const stack = [...schemas]
  while (stack.length > 0) {
    const schema = stack.pop()!
    if (seen.has(schema)) continue
    seen.add(schema)
    if (wrapperChain(schema).some((s) => isMarked(s, 'secret'))) return { secret: true, branches }
    const inner = unwrap(schema)
    const def = defOf(inner)
    switch (def.type) {
      case 'object':
      case 'record':
      case 'array':
      case 'tuple':
        if (!branches.includes(inner)) branches.push(inner)
        break
      case 'union':
        stack.push(...(def.options ?? []))
        break
      case 'intersection':
        stack.push(def.left!, def.right!)
        break
      case 'pipe':
        // The output's shape is `out`'s; what `in` held may be anywhere in it.
        if (reaching.has(def.in!)) return { secret: true, branches }
        stack.push(def.out!)
        break
      default:
        if (reaching.has(inner)) return { secret: true, branches }
    }
  }
  return { secret: false, branches }
}

/** True when `shape` gives `key` a schema of its own (an object's key, a tuple's item). */
function namesKey(shape: AnySchema, key: string): boolean {
  const def = defOf(shape)
  if (def.type === 'object') return def.shape !== undefined && Object.hasOwn(def.shape, key)
  if (def.type === 'tuple') return /^\d+$/.test(key) && Number(key) < (def.items?.length ?? 0)
  return false
}

/** The schemas of `key` in one shape schema: a non-numeric key of a tuple (`*`) stands for every item. */
function childrenAt(shape: AnySchema, key: string): AnySchema[] {
  const def = defOf(shape)
  switch (def.type) {
    case 'object':
      if (def.shape && Object.hasOwn(def.shape, key)) return [def.shape[key]!]
      return def.catchall && defOf(def.catchall).type !== 'never' ? [def.catchall] : []
    case 'record':
      return [def.valueType!]
    case 'array':
      return [def.element!]
    case 'tuple': {
      const items = def.items ?? []
      const index = /^\d+$/.test(key) ? Number(key) : -1
      if (index >= 0 && index < items.length) return [items[index]!]
      return [...(index === -1 ? items : []), ...(def.rest ? [def.rest] : [])]
    }
    default:
      return []
  }
}

/** Every schema a definition refers to: never branches on a kind, so no container is overlooked. */
function childSchemas(schema: AnySchema): AnySchema[] {
  const def = defOf(schema) as unknown as Record<string, unknown>
  const out: AnySchema[] = []
  const add = (value: unknown) => {
    if (isSchema(value)) out.push(value)
  }
  if (def.type === 'lazy') add(lazyInner(schema))
  for (const [key, value] of Object.entries(def)) {
    if (key === 'checks') continue
    if (Array.isArray(value)) value.forEach(add)
    else if (isSchema(value)) add(value)
    else if (key === 'shape' && value !== null && typeof value === 'object') Object.values(value).forEach(add)
  }
  return out
}

function isSchema(value: unknown): value is AnySchema {
  return value !== null && typeof value === 'object' && '_zod' in value && 'def' in (value as AnySchema)._zod
}

/**
 * Every schema from which a marked secret can be reached, found in one pass over the schema graph (cycles included).
 * Refuses a record whose key schema reaches one.
 */
function schemasReachingSecret(root: AnySchema): Set<AnySchema> {
  const parents = new Map<AnySchema, AnySchema[]>()
  const marked: AnySchema[] = []
  const seen = new Set<AnySchema>([root])
  const records: [AnySchema, string][] = []
  const queue: [AnySchema, string][] = [[root, '']]
  for (let i = 0; i < queue.length; i++) {
    const [schema, path] = queue[i]!
    if (isMarked(schema, 'secret')) marked.push(schema)
    const def = defOf(schema)
    if (def.type === 'record' && def.keyType) records.push([def.keyType, path])
    const names = keysOfShape(def)
    for (const child of childSchemas(schema)) {
      const list = parents.get(child)
      if (list) list.push(schema)
      else parents.set(child, [schema])
      if (seen.has(child)) continue
      seen.add(child)
      queue.push([child, pathBelow(def, names, child, path)])
    }
  }
  const reaching = new Set<AnySchema>(marked)
  const stack = [...marked]
  while (stack.length > 0) {
    for (const parent of parents.get(stack.pop()!) ?? []) {
      if (!reaching.has(parent)) {
        reaching.add(parent)
        stack.push(parent)
      }
    }
  }
  for (const [keyType, path] of records) {
    if (reaching.has(keyType)) {
      throw new ConfigError(
        issue(
          'BAD_OPTIONS',
          path,
          `schema: secret() in the key schema of the record at ${path || '(root)'} cannot be kept secret, because keys appear in paths, issues and change records; mark the record's values instead`,
        ),
      )
    }
  }
  return reaching
}

/**
 * The first key of an object's shape holding each child schema, looked up once per object: a search of the shape
 * for each child made a schema of a thousand keys cost a million comparisons at start.
 */
function keysOfShape(def: ReturnType<typeof defOf>): ReadonlyMap<unknown, string> | undefined {
  if (def.type !== 'object' || !def.shape) return undefined
  const names = new Map<unknown, string>()
  for (const [key, value] of Object.entries(def.shape)) if (!names.has(value)) names.set(value, key)
  return names
}

/** The config path of a child schema, for messages: `*` stands for any record key or array index. */
function pathBelow(
  def: ReturnType<typeof defOf>,
  names: ReadonlyMap<unknown, string> | undefined,
  child: AnySchema,
  path: string,
): string {
  const key = names?.get(child)
  if (key !== undefined) return joinPath(path, key)
  if (def.type === 'object' || def.type === 'record' || def.type === 'array' || def.type === 'tuple') {
    return def.type === 'record' && child === def.keyType ? path : joinPath(path, '*')
  }
  return path
}
