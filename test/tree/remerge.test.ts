import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { mergeLayers } from '../../src/tree/merge.ts'
import { assocIn } from '../../src/tree/patch.ts'
import { isPlainObject } from '../../src/tree/paths.ts'
import { reconcile } from '../../src/tree/reconcile.ts'
import { remerge, remergeIn } from '../../src/tree/remerge.ts'
import { scopeOfPaths } from '../../src/tree/scope.ts'
import { TOMBSTONE } from '../../src/tree/tombstone.ts'

const KEYS = ['a', 'b', 'c', 'toString']
const key = fc.constantFrom(...KEYS)
const leaf = fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constant([1]), fc.constant('x'))
const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.dictionary(key, tie('tree'), { maxKeys: 3 }),
  ),
}))
const layer = fc.option(fc.dictionary(key, tree, { maxKeys: 4 }), { nil: undefined })
/** The top layer may delete (as runtime overrides do). */
const top = fc.option(fc.dictionary(key, fc.oneof(tree, fc.constant(TOMBSTONE)), { maxKeys: 4 }), {
  nil: undefined,
})
/** An edit of one layer that keeps every other subtree: a path copy, as a reload of one changed value makes. */
const edit = fc.record({
  layer: fc.nat(3),
  path: fc.array(key, { minLength: 1, maxLength: 3 }),
  value: fc.oneof(tree, fc.constant(undefined)),
})

/** Whether a layer holds a value that is not an object at a proper prefix of `path`: a write there replaces it. */
function leafOnTheWay(layer: unknown, path: readonly string[]): boolean {
  let node = layer
  for (const key of path) {
    if (node === undefined) return false
    if (!isPlainObject(node)) return true
    node = node[key]
  }
  return false
}

describe('remerge (#23)', () => {
  test.prop([fc.tuple(layer, layer, layer, top), fc.array(edit, { maxLength: 3 }), fc.boolean()])(
    'equals reconcile(live, mergeLayers(next)) and keeps live where nothing changed',
    (prev, edits, pin) => {
      const next = [...prev]
      for (const e of edits) next[e.layer] = assocIn(next[e.layer], e.path, e.value)
      const live = mergeLayers(prev)
      const pinned = pin && edits[0] ? [edits[0].path.join('.')] : []
      const got = remerge(live, prev, next, pinned)
      const expected = reconcile(live, mergeLayers(next))
      expect(got).toEqual(expected)
      if (edits.length === 0) expect(got).toBe(live)
    },
  )

  test.prop([fc.tuple(layer, layer, layer, top), fc.array(edit, { maxLength: 3 })])(
    'merges only the keys a scope names, to the same config',
    (prev, edits) => {
      const next = [...prev]
      for (const e of edits) next[e.layer] = assocIn(next[e.layer], e.path, e.value)
      const live = mergeLayers(prev)
      const got = remergeIn(live, prev, next, scopeOfPaths(edits.map((e) => e.path))!)
      // Refused (the scope is too narrow) only where an edit turned a leaf of a layer into an object or dropped it.
      if (got === undefined) expect(edits.some((e) => leafOnTheWay(prev[e.layer], e.path))).toBe(true)
      else expect(got).toEqual(reconcile(live, mergeLayers(next)))
      if (edits.length === 0) expect(got).toBe(live)
    },
  )

  it('refuses a scope that misses the keys of a layer a write lets in: a leaf above it became an object', () => {
    // Layer 1's `c` hid layer 0's; a write below it makes `c` an object, and layer 0's `a` comes back.
    const prev = [{ c: { a: {} } }, { c: [1] }, { c: {} }]
    const next = [prev[0], { c: { c: [1] } }, prev[2]]
    const live = mergeLayers(prev)
    expect(remergeIn(live, prev, next, scopeOfPaths([['c', 'c']])!)).toBeUndefined()
    expect(remerge(live, prev, next)).toEqual({ c: { a: {}, c: [1] } })
  })

  it('keeps what only the live config holds outside the scope (defaults the validation filled in)', () => {
    const layer = { pool: { max: 5 } }
    const live = { pool: { max: 5, min: 2 } } // min: the schema's default
    const got = remergeIn(live, [layer], [{ pool: { max: 6 } }], scopeOfPaths([['pool', 'max']])!)
    expect(got).toEqual({ pool: { max: 6, min: 2 } })
  })

  it('takes the live subtree as it is where no layer changed, even where it differs from the merge', () => {
    const base = { db: { pool: { max: 1 } }, log: { level: 'info' } }
    const live = { db: { pool: { max: 1 } }, log: { level: 'INFO' } } // e.g. a schema transform
    const next = { ...base, db: { pool: { max: 2 } } }
    const got = remerge(live, [base], [next])
    expect(got).toEqual({ db: { pool: { max: 2 } }, log: { level: 'INFO' } })
    expect(got.log).toBe(live.log)
  })

  it('merges a pinned path afresh even when its layers did not change', () => {
    const layer = { port: 2 }
    const live = { port: 1 } // a restart key holding its old value
    expect(remerge(live, [layer], [layer], ['port'])).toEqual({ port: 2 })
    expect(remerge(live, [layer], [layer])).toBe(live)
  })
})
