import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = resolve(import.meta.dirname, '../../src')
const ADAPTERS = join(SRC, 'adapters')
/** The core modules an adapter may import: the contract and the documented helper module. */
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

const inAdapters = (path: string) => !relative(ADAPTERS, path).startsWith('..')
const edges = sources.flatMap((file) => importsOf(file).map((target) => ({ file, target })))
const show = ({ file, target }: { file: string; target: string }) =>
  `${relative(SRC, file)} -> ${relative(SRC, target)}`

describe('module boundaries', () => {
  it('sees the import graph (so the checks below are not vacuous)', () => {
    expect(sources.filter(inAdapters).length).toBeGreaterThan(30)
    expect(edges.filter(({ target }) => target === join(SRC, 'adapter-kit.ts')).length).toBeGreaterThan(5)
    expect(
      edges.some(({ file, target }) => file === join(SRC, 'store.ts') && target === join(SRC, 'errors.ts')),
    ).toBe(true)
  })

  it('lets an adapter import from core only the contract and the adapter kit', () => {
    const outside = edges.filter(
      ({ file, target }) => inAdapters(file) && !inAdapters(target) && !CONTRACT.has(target),
    )
    expect(outside.map(show)).toEqual([])
  })

  it('never lets core import an adapter', () => {
    const inward = edges.filter(({ file, target }) => !inAdapters(file) && inAdapters(target))
    expect(inward.map(show)).toEqual([])
  })
})
