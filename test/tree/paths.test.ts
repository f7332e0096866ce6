import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { getAt, pathReaders } from '../../src/tree/paths.ts'

const readerFor = pathReaders()

/** Keys a compiled reader must carry as data, never as code (no dots: a dot splits the path). */
const HOSTILE_KEYS = [
  'a"b',
  "a'b",
  'a\\b',
  'a\nb',
  '`${globalThis["process"]["exit"](1)}`',
  '"]; globalThis["process"]["exit"](1); n["',
  '\u2028',
]

describe('pathReaders', () => {
  it('reads nested values, and undefined past a missing key or a scalar', () => {
    const root = { db: { pool: { max: 5 }, tags: ['x', 'y'] } }
    expect(readerFor('db.pool.max')(root)).toBe(5)
    expect(readerFor('db.tags.1')(root)).toBe('y')
    expect(readerFor('db.nope.max')(root)).toBeUndefined()
    expect(readerFor('db.pool.max.deeper')(root)).toBeUndefined()
    expect(readerFor('db.pool.max')(null)).toBeUndefined()
  })

  it.each(HOSTILE_KEYS)('reads a key written %j as data', (key) => {
    const root = { outer: { [key]: { v: 7 } } }
    expect(readerFor(`outer.${key}.v`)(root)).toBe(7)
  })

  it('never reads an inherited value through a key Object.prototype has', () => {
    expect(readerFor('pool.constructor')({ pool: {} })).toBeUndefined()
    expect(readerFor('pool.toString')({ pool: {} })).toBeUndefined()
    expect(readerFor('pool.toString')({ pool: { toString: 3 } })).toBe(3)
  })

  test.prop([
    fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(...HOSTILE_KEYS)), {
      minLength: 1,
      maxLength: 4,
    }),
    fc.jsonValue(),
  ])('agrees with the own-property walk on any path without dots', (segments, leaf) => {
    const keys = segments.map((k) => k.replaceAll('.', '_') || '_')
    const root = keys.reduceRight<unknown>((inner, key) => ({ [key]: inner }), leaf)
    expect(readerFor(keys.join('.'))(root)).toEqual(getAt(root, keys))
  })
})
