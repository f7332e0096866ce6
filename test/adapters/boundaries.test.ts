import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = resolve(import.meta.dirname, '../../src')
/** The rooms at the edge (adapters, and integrations with other libraries): they see the store only by its contract. */
const EDGES = ['adapters', 'integrations'].map((room) => join(SRC, room))
/** The core modules an edge module may import: the contract and the documented helper module. */
const CONTRACT = new Set(['types.ts', 'errors.ts', 'adapter-kit.ts'].map((file) => join(SRC, file)))

const sources = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts'))
  .map((file) => join(SRC, file))

/** Every relative module a file imports or re-exports, statically or with `import()`, as an absolute path. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specifiers = [...text.matchAll(/(?:\bfrom|\bimport\(?)\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!)
  return specifiers.map((specifier) => resolve(dirname(file), specifier))
}

const roomOf = (path: string) => EDGES.find((room) => !relative(room, path).startsWith('..'))
const inAdapters = (path: string) => roomOf(path) !== undefined
const edges = sources.flatMap((file) => importsOf(file).map((target) => ({ file, target })))
const show = ({ file, target }: { file: string; target: string }) =>
  `${relative(SRC, file)} -> ${relative(SRC, target)}`

describe('module boundaries', () => {
  it('sees the import graph (so the checks below are not vacuous)', () => {
    expect(sources.filter(inAdapters).length).toBeGreaterThan(30)
    expect(edges.filter(({ target }) => target === join(SRC, 'adapter-kit.ts')).length).toBeGreaterThan(5)
    expect(
      edges.some(
        ({ file, target }) =>
          file === join(SRC, 'store', 'create-store.ts') && target === join(SRC, 'errors.ts'),
      ),
    ).toBe(true)
  })

  it('lets an adapter or integration import from core only the contract and the adapter kit', () => {
    const outside = edges.filter(
      ({ file, target }) => inAdapters(file) && roomOf(target) !== roomOf(file) && !CONTRACT.has(target),
    )
    expect(outside.map(show)).toEqual([])
  })

  it('keeps the transaction pipeline below the store: nothing in machines/ imports store/', () => {
    const within = (room: string) => (path: string) => !relative(join(SRC, room), path).startsWith('..')
    const upward = edges.filter(({ file, target }) => within('machines')(file) && within('store')(target))
    expect(upward.map(show)).toEqual([])
  })

  it('never lets core import an adapter or integration', () => {
    const inward = edges.filter(({ file, target }) => !inAdapters(file) && inAdapters(target))
    expect(inward.map(show)).toEqual([])
  })
})
