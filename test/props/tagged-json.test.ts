import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeTagged, encodeTagged, stringifyTagged } from '../../src/persist/tagged-json.ts'
import { deepEqual } from '../../src/tree/equal.ts'
import { TOMBSTONE } from '../../src/tree/tombstone.ts'

const key = fc.oneof(fc.constantFrom('$hotconf', 'value', 'a', '__tag'), fc.string({ maxLength: 4 }))
const leaf = fc.oneof(
  fc.double(),
  fc.bigInt(),
  fc.date({ noInvalidDate: false }),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(TOMBSTONE),
  fc.constantFrom('deleted', 'date', 'object'),
)
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object'), tie('map'), tie('set')),
  array: fc.array(fc.oneof(tie('node'), fc.constant(undefined)), { maxLength: 4 }),
  object: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
  map: fc.array(fc.tuple(fc.string({ maxLength: 3 }), tie('node')), { maxLength: 3 }).map((e) => new Map(e)),
  set: fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }).map((e) => new Set(e)),
}))

describe('tagged JSON', () => {
  it('round-trips every value through JSON text when it holds dates, bigints, odd numbers, maps, sets, tombstones and look-alike tags', () => {
    fc.assert(
      fc.property(tree.node, (value) => {
        const back = decodeTagged(JSON.parse(stringifyTagged(value)))
        expect(deepEqual(back, value)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })

  it('refuses a value it cannot hold, with its path, when a function or a class instance is in the tree', () => {
    expect(() => encodeTagged({ a: { b: [1, () => {}] } })).toThrow('a function at a.b.1 cannot be persisted')
    expect(() => encodeTagged({ url: new URL('http://x') })).toThrow('an instance of URL at url')
  })

  it('rejects an unknown or malformed tag when a file was written by a newer format', () => {
    expect(() => decodeTagged({ a: { $hotconf: 'regexp', value: 'x' } })).toThrow('unknown "$hotconf" tag')
    expect(() => decodeTagged({ $hotconf: 'bigint', value: '1.5' })).toThrow('malformed')
  })
})
