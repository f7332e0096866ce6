import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createConfigStore } from '../../src/index.ts'
import { useTempDirs } from '../support/temp-dir.ts'

const tempDir = useTempDirs()
const quiet = { debug() {}, info() {}, warn() {}, error() {} }

const leaf = z.number().optional()
const schema = z.object({
  a: z.object({ x: leaf, y: leaf, n: z.object({ p: leaf, q: leaf }).optional() }).optional(),
  b: z.object({ x: leaf }).optional(),
  c: leaf,
})
/** The lower layer every store starts from: the deletions have something to hide. */
const initial = { a: { x: 1, y: 2, n: { p: 3, q: 4 } }, b: { x: 5 }, c: 6 }

const path = fc.constantFrom('a', 'a.x', 'a.y', 'a.n', 'a.n.p', 'a.n.q', 'b', 'b.x', 'c')
const value = fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined })
/** A value for a path: objects for the object paths, numbers for the leaves, `undefined` to delete. */
const valueFor = (p: string) =>
  p === 'a'
    ? fc.option(fc.record({ x: value, n: fc.option(fc.record({ p: value }), { nil: undefined }) }), {
        nil: undefined,
      })
    : p === 'a.n'
      ? fc.option(fc.record({ q: value }), { nil: undefined })
      : p === 'b'
        ? fc.option(fc.record({ x: value }), { nil: undefined })
        : value

type Op =
  | { kind: 'patch'; path: string; value: unknown }
  | { kind: 'recipe'; path: string; value: unknown }
  | { kind: 'reset'; path?: string }
const op: fc.Arbitrary<Op> = fc.oneof(
  path.chain((p) => valueFor(p).map((v): Op => ({ kind: 'patch', path: p, value: v }))),
  path.chain((p) => valueFor(p).map((v): Op => ({ kind: 'recipe', path: p, value: v }))),
  fc
    .option(path, { nil: undefined })
    .map((p): Op => (p === undefined ? { kind: 'reset' } : { kind: 'reset', path: p })),
)

/** `{ a: { n: value } }` for `a.n`: a deep-partial patch that writes `value` (or deletes) at the path. */
function patchOf(p: string, v: unknown): Record<string, unknown> {
  return p
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), v) as Record<string, unknown>
}

function assign(draft: Record<string, unknown>, p: string, v: unknown): void {
  const keys = p.split('.')
  let node = draft
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {}
    node = node[key] as Record<string, unknown>
  }
  if (v === undefined) delete node[keys.at(-1)!]
  else node[keys.at(-1)!] = v
}

describe('overrides over a lower layer (issue 15)', () => {
  it('give the live config back after every runtime write, deletion or reset when a store restarts on them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 6 }), async (ops) => {
        const file = join(await tempDir(), 'overrides.json')
        const open = () => createConfigStore({ schema, initial, overrides: { file }, logger: quiet })
        const store = await open()
        try {
          for (const o of ops) {
            const result =
              o.kind === 'patch'
                ? await store.update(patchOf(o.path, o.value))
                : o.kind === 'recipe'
                  ? await store.update((d) =>
                      assign(d as Record<string, unknown>, o.path, structuredClone(o.value)),
                    )
                  : await store.reset(o.path as never)
            expect(['committed', 'unchanged']).toContain(result.status)
            const again = await open()
            expect(again.current).toEqual(store.current)
            await again.close()
            expect(await store.reload()).toMatchObject({ status: 'unchanged' })
          }
        } finally {
          await store.close()
        }
      }),
      { numRuns: 60 },
    )
  }, 120_000)

  it('record an emptied object that a later write removes (a counterexample the property found)', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const open = () => createConfigStore({ schema, initial, overrides: { file }, logger: quiet })
    const store = await open()
    try {
      await store.update((d) => assign(d as Record<string, unknown>, 'a.n', { q: undefined }))
      expect(store.current.a?.n).toEqual({})
      const result = await store.update({ a: { x: undefined, n: undefined } })
      expect(result).toMatchObject({ status: 'committed' })
      if (result.status === 'committed')
        expect(result.changes.map((c) => c.path).sort()).toEqual(['a.n', 'a.x'])
      expect(store.current.a).toEqual({ y: 2 })
      const again = await open()
      expect(again.current).toEqual(store.current)
      await again.close()
    } finally {
      await store.close()
    }
  })
})
