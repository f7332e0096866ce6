import { describe, expect, it } from 'vitest'
import { childSchema, isBranch, kindOf, mergePatchOf, overlaps, parseText } from '../../ui/schema.ts'

describe('the console: edits as one merge patch (#18)', () => {
  it('nests each edited path into one patch', () => {
    expect(
      mergePatchOf([
        { segments: ['pool', 'max'], old: 10, value: 20 },
        { segments: ['pool', 'min'], old: 2, value: 3 },
        { segments: ['name'], old: 'a', value: 'b' },
      ]),
    ).toEqual({ pool: { max: 20, min: 3 }, name: 'b' })
  })

  it('turns an edited record into its difference, with null for each removed key', () => {
    expect(
      mergePatchOf([
        {
          segments: ['features'],
          old: { a: true, b: false, c: true },
          value: { a: true, c: false, d: true },
        },
      ]),
    ).toEqual({ features: { b: null, c: false, d: true } })
  })

  it('replaces arrays and scalars whole', () => {
    expect(mergePatchOf([{ segments: ['tags'], old: ['x', 'y'], value: ['y'] }])).toEqual({ tags: ['y'] })
  })
})

describe('the console: controls that fit the schema (#18)', () => {
  const schema = {
    type: 'object',
    properties: {
      pool: { type: 'object', properties: { max: { type: 'integer' } } },
      mode: { type: 'string', enum: ['fast', 'safe'] },
      debug: { type: 'boolean' },
      timeout: { anyOf: [{ type: 'number' }, { type: 'null' }] },
      features: { type: 'object', additionalProperties: { type: 'boolean' } },
    },
  } as const

  it('picks number, select, boolean, text or JSON from the schema, else from the value', () => {
    expect(kindOf(childSchema(childSchema(schema, 'pool'), 'max'), 1)).toBe('number')
    expect(kindOf(childSchema(schema, 'mode'), 'fast')).toBe('enum')
    expect(kindOf(childSchema(schema, 'debug'), false)).toBe('boolean')
    expect(kindOf(childSchema(schema, 'timeout'), null)).toBe('number')
    expect(kindOf(childSchema(schema, 'features'), {})).toBe('json')
    expect(kindOf(undefined, 'text')).toBe('string')
  })

  it('makes objects with named properties branches, and records leaves', () => {
    expect(isBranch(childSchema(schema, 'pool'), { max: 1 })).toBe(true)
    expect(isBranch(childSchema(schema, 'features'), { a: true })).toBe(false)
    expect(isBranch(childSchema(childSchema(schema, 'features'), 'a'), true)).toBe(false)
  })

  it('parses what was typed, or says why not', () => {
    expect(parseText('number', '42')).toEqual({ ok: true, value: 42 })
    expect(parseText('number', '')).toEqual({ ok: false, message: 'enter a number' })
    expect(parseText('string', '<img src=x>')).toEqual({ ok: true, value: '<img src=x>' })
    expect(parseText('json', '["a"')).toEqual({ ok: false, message: 'enter valid JSON' })
  })

  it('relates an error path to the edits under or above it', () => {
    expect(overlaps('pool.max', 'pool')).toBe(true)
    expect(overlaps('pool', 'pool.max')).toBe(true)
    expect(overlaps('pool.max', 'pool.maxi')).toBe(false)
    expect(overlaps('name', '')).toBe(true)
  })
})
