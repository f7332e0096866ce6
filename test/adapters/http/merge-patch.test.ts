import { Immer } from 'immer'
import { describe, expect, it } from 'vitest'
import { fromMergePatch } from '../../../src/adapters/http/index.ts'
import { mergePatch } from '../../../src/tree/patch.ts'

const immer = new Immer({ autoFreeze: true })
// What `store.update(fromMergePatch(patch))` builds, before validation.
const apply = (target: Record<string, unknown>, patch: Record<string, unknown>) =>
  mergePatch(target, fromMergePatch(patch))

describe('fromMergePatch', () => {
  // RFC 7396, appendix A, the cases whose patch is an object (the admin API refuses any other).
  const cases: [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    [{ a: 1 }, { a: { b: null, c: 2 } }, { a: { c: 2 } }],
  ]
  for (const [target, patch, result] of cases) {
    it(`merges ${JSON.stringify(patch)} into ${JSON.stringify(target)} as RFC 7396 says`, () => {
      expect(apply(target, patch)).toEqual(result)
    })
  }

  it('leaves the target identical when the patch changes nothing', () => {
    const target = immer.produce({ a: { b: 1 }, c: [1] }, () => {})
    expect(apply(target, { a: { b: 1 }, d: null })).toBe(target)
  })

  it('shares the subtrees the patch does not touch', () => {
    const target = immer.produce({ a: { b: 1 }, c: { d: 2 } }, () => {})
    const next = apply(target, { a: { b: 2 } })
    expect(next.c).toBe(target.c)
  })
})
