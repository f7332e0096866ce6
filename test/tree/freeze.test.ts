import { fc, test } from '@fast-check/vitest'
import { freeze } from 'immer'
import { describe, expect, it } from 'vitest'
import { deepFreeze } from '../../src/tree/freeze.ts'

/** What an object holds: plain values, array items, Map and Set values. */
const childrenOf = (value: object): unknown[] =>
  value instanceof Map || value instanceof Set ? [...value.values()] : Object.values(value)

/** Every object reachable from `value`, in order, with whether it is frozen. */
function frozenness(value: unknown, out: boolean[] = []): boolean[] {
  if (value === null || typeof value !== 'object') return out
  out.push(Object.isFrozen(value))
  for (const item of childrenOf(value)) frozenness(item, out)
  return out
}

const leaf = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 3 }),
  fc.constant(null),
  fc.date({ noInvalidDate: true }),
)
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('tree'), { maxKeys: 3 }),
    fc.array(tie('tree'), { maxLength: 3 }),
    fc.array(tie('tree'), { maxLength: 2 }).map((values) => new Map(values.map((v, i) => [`k${i}`, v]))),
    fc.array(tie('tree'), { maxLength: 2 }).map((values) => new Set(values)),
  ),
}))

/** Freezes some subtrees first, as a new revision shares frozen subtrees with the last one. */
function preFrozen(value: unknown, pick: (n: number) => boolean, n = { i: 0 }): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Date) return value
  for (const item of childrenOf(value)) preFrozen(item, pick, n)
  if (pick(n.i++)) Object.freeze(value)
  return value
}

describe('deepFreeze', () => {
  test.prop([tree, fc.func(fc.boolean())])(
    "freezes what immer's freeze(value, true) freezes, and nothing else",
    (value, pick) => {
      const ours = preFrozen(structuredClone(value), pick)
      const immers = preFrozen(structuredClone(value), pick)
      expect(deepFreeze(ours)).toBe(ours)
      freeze(immers, true)
      expect(frozenness(ours)).toEqual(frozenness(immers))
    },
  )

  it('makes a Map or Set of a config refuse changes, and leaves a Date alone', () => {
    const at = new Date(0)
    const config = deepFreeze({ byName: new Map([['a', { n: 1 }]]), tags: new Set(['x']), at })
    expect(() => config.byName.set('b', { n: 2 })).toThrow(TypeError)
    expect(() => config.byName.delete('a')).toThrow(TypeError)
    expect(() => config.tags.add('y')).toThrow(TypeError)
    expect(() => config.tags.clear()).toThrow(TypeError)
    expect(Object.isFrozen(config.byName.get('a'))).toBe(true)
    expect([...config.byName.keys(), ...config.tags]).toEqual(['a', 'x'])
    expect(Object.isFrozen(at)).toBe(false)
  })

  it('stops at a frozen object: what it shares with the last revision is not walked again', () => {
    const shared = Object.freeze({ inner: { n: 1 } })
    deepFreeze({ shared })
    expect(Object.isFrozen(shared.inner)).toBe(false)
  })
})
