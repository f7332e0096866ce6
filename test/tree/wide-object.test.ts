import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { copyObject, objectFor } from '../../src/tree/wide-object.ts'

/** Objects narrow and wide (past the hash-table threshold), with keys that may be `__proto__`. */
const objects = fc
  .uniqueArray(fc.oneof(fc.string({ maxLength: 4 }), fc.constant('__proto__')), { maxLength: 150 })
  .chain((keys) =>
    fc.tuple(fc.constant(keys), fc.array(fc.integer(), { minLength: keys.length, maxLength: keys.length })),
  )
  .map(([keys, values]) => {
    const out: Record<string, unknown> = {}
    for (const [i, k] of keys.entries())
      Object.defineProperty(out, k, {
        value: values[i],
        enumerable: true,
        writable: true,
        configurable: true,
      })
    return out
  })

describe('copyObject', () => {
  test.prop([objects, fc.option(fc.string({ maxLength: 4 }), { nil: undefined })])(
    'is the spread of the object without the omitted key: same own keys, same order, same values',
    (source, omit) => {
      const expected = { ...source }
      if (omit !== undefined) delete expected[omit]
      const copy = copyObject(source, omit)
      expect(copy).not.toBe(source)
      expect(Object.getPrototypeOf(copy)).toBe(Object.prototype)
      expect(Object.keys(copy)).toEqual(Object.keys(expected))
      for (const key of Object.keys(expected))
        expect(Object.getOwnPropertyDescriptor(copy, key)?.value).toBe(expected[key])
    },
  )

  test.prop([objects])(
    'copies of copies stay equal to the source (the copy is an ordinary writable object)',
    (source) => {
      const copy = copyObject(copyObject(Object.freeze({ ...source })))
      copy.extra = 1
      expect({ ...copy, extra: undefined }).toEqual({ ...source, extra: undefined })
    },
  )
})

describe('objectFor', () => {
  it('gives an empty plain object however many keys are to come', () => {
    for (const n of [0, 10, 64, 10_000]) {
      const out = objectFor(n)
      expect(Object.keys(out)).toEqual([])
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    }
  })
})
