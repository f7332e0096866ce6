import { type AnySchema, defOf, lazyInner } from './shape.ts'

/**
 * The first place in `schema` whose values no persisted file can hold, even tagged (see `encodeTagged`): a
 * `z.symbol()`, `z.function()`, `z.promise()`, `z.file()` or `z.custom()` / `z.instanceof()`. Returns its dotted
 * path (`[]` for an array's element, `*` for a record's or map's value) and its kind, or `undefined` when every
 * value the schema allows can be persisted. Walks each schema once, so recursive (`z.lazy`) schemas end.
 */
export function unpersistableAt(schema: AnySchema): { path: string; type: string } | undefined {
  const seen = new Set<AnySchema>()
  const walk = (
    node: AnySchema | undefined | null,
    path: string,
  ): { path: string; type: string } | undefined => {
    if (!node || seen.has(node)) return undefined
    seen.add(node)
    const def = defOf(node)
    if (REFUSED.has(def.type)) return { path: path || '(root)', type: def.type }
    const children: [AnySchema | undefined | null, string][] = [
      [def.innerType, path],
      [def.type === 'lazy' ? lazyInner(node) : undefined, path],
      [def.catchall, join(path, '*')],
      [def.keyType, join(path, '*')],
      [def.valueType, join(path, '*')],
      [def.element, join(path, '[]')],
      [def.in, path],
      [def.out, path],
      [def.left, path],
      [def.right, path],
      [def.rest, join(path, '[]')],
      ...Object.entries(def.shape ?? {}).map(([k, s]): [AnySchema, string] => [s, join(path, k)]),
      ...(def.options ?? []).map((s): [AnySchema, string] => [s, path]),
      ...(def.items ?? []).map((s, i): [AnySchema, string] => [s, join(path, String(i))]),
    ]
    for (const [child, at] of children) {
      const found = walk(child, at)
      if (found) return found
    }
    return undefined
  }
  return walk(schema, '')
}

// --- internal ---

const REFUSED = new Set(['symbol', 'function', 'promise', 'file', 'custom'])

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}
