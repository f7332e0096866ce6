import { fc, test } from '@fast-check/vitest'
import { produce } from 'immer'
import { describe, expect, it } from 'vitest'
import { mergePatch } from '../../src/tree/patch.ts'
import { isPlainObject } from '../../src/tree/paths.ts'

/** The reference: what an immer draft patched key by key gives (the way updates were built before mergePatch). */
function patchedByDraft(
  base: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const apply = (draft: Record<string, unknown>, p: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(p)) {
      if (value === undefined) delete draft[key]
      else if (isPlainObject(value) && isPlainObject(draft[key]))
        apply(draft[key] as Record<string, unknown>, value)
      else draft[key] = structuredClone(value)
    }
  }
  return produce(base, (draft) => apply(draft, patch))
}

const key = fc.constantFrom('a', 'b', 'c', 'd')
const leaf = fc.oneof(
  fc.integer({ min: 0, max: 3 }),
  fc.constantFrom('x', 'y'),
  fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 2 }),
)
const { tree } = fc.letrec((tie) => ({
  tree: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, leaf, tie('tree')), { maxKeys: 4 }),
}))
const { patch } = fc.letrec((tie) => ({
  patch: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, leaf, fc.constant(undefined), tie('patch')), {
    maxKeys: 3,
  }),
}))

/** Every object of `after` that is deep-equal to the one at the same place in `before` must be that object. */
function sharesEqualSubtrees(before: unknown, after: unknown): boolean {
  if (!isPlainObject(before) || !isPlainObject(after)) return true
  return Object.keys(after).every((k) => {
    const a = before[k]
    const b = after[k]
    if (isPlainObject(a) && isPlainObject(b) && JSON.stringify(a) === JSON.stringify(b) && a !== b)
      return false
    return sharesEqualSubtrees(a, b)
  })
}

describe('mergePatch', () => {
  test.prop([tree, patch])('gives what an immer draft patched key by key gives', (base, p) => {
    expect(mergePatch(base, p)).toEqual(patchedByDraft(base, p))
  })

  test.prop([tree, patch])(
    'copies only changed paths and returns the base itself when nothing differs',
    (base, p) => {
      const merged = mergePatch(base, p)
      if (JSON.stringify(merged) === JSON.stringify(base)) expect(merged).toBe(base)
      expect(sharesEqualSubtrees(base, merged)).toBe(true)
    },
  )

  it('copies values in, so changing the patch afterwards changes nothing', () => {
    const p = { pool: { tags: ['a'] } }
    const merged = mergePatch({ pool: { tags: [] as string[], max: 1 } }, p)
    p.pool.tags.push('b')
    expect(merged).toEqual({ pool: { tags: ['a'], max: 1 } })
  })
})
