import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { jsonErrorOffset, parseJson, positionAt, positionInMessage } from '../../src/formats/parse-json.ts'

/** V8's own offset when its message has one ("at position N"), as Node 20 and 22 both print it. */
function v8Offset(text: string): number | undefined {
  try {
    JSON.parse(text)
    return undefined
  } catch (error) {
    const at = /at position (\d+)/.exec((error as Error).message)
    return at ? Number(at[1]) : undefined
  }
}

describe('jsonErrorOffset', () => {
  it('points where V8 points when V8 says where', () => {
    const broken = [
      '{"a": 1,}',
      '{"a": 1',
      '[1,2',
      '{\n  "a": 1\n  "b": 2\n}',
      '{"a":1} x',
      '{"a" 1}',
      '{1: 2}',
      '{"a": [1, 2}',
      '{"a": -}',
    ]
    for (const text of broken) {
      const expected = v8Offset(text)
      expect(expected, text).toBeDefined()
      expect(jsonErrorOffset(text), text).toBe(expected)
    }
  })

  it('points at the character that breaks a literal when V8 names only the token', () => {
    expect(jsonErrorOffset('{"a": tru}')).toBe(9)
    expect(jsonErrorOffset('{"a": nul}')).toBe(9)
    expect(jsonErrorOffset('{"a": }')).toBe(6)
    expect(jsonErrorOffset('[1,]')).toBe(3)
    expect(jsonErrorOffset('xyz')).toBe(0)
  })

  it('points at the end when the text stops early', () => {
    expect(jsonErrorOffset('{"a": [1, ')).toBe(10)
    expect(jsonErrorOffset('{"a":')).toBe(5)
  })

  it('scans any depth without recursion when the text nests deeply', () => {
    const deep = `${'['.repeat(200_000)}x`
    expect(jsonErrorOffset(deep)).toBe(200_000)
  })

  test.prop([fc.json()])('finds no error before the end when the text is valid JSON', (text) => {
    expect(jsonErrorOffset(text)).toBe(text.length)
  })
})

describe('parseJson', () => {
  it('reports line and column from the message when V8 gives a position', () => {
    const got = parseJson('{\n  "a": 1,\n}', 'x.json')
    expect(got).toEqual({
      issues: [
        {
          code: 'PARSE_ERROR',
          path: '',
          message: 'Expected double-quoted property name',
          source: 'x.json',
          line: 3,
          column: 1,
        },
      ],
    })
  })
})

describe('positionInMessage', () => {
  const text = '{\n  "a": 1\n  "b": 2\n}'

  it('reads the line and column when Node 22+ prints them', () => {
    const message = `Expected ',' or '}' after property value in JSON at position 13 (line 3 column 3)`
    expect(positionInMessage(message, text)).toEqual({ line: 3, column: 3 })
  })

  it('turns the offset into a line and column when Node 20 prints only "at position N"', () => {
    const message = `Expected ',' or '}' after property value in JSON at position 13`
    expect(positionInMessage(message, text)).toEqual({ line: 3, column: 3 })
  })

  it('finds nothing when the message names only the token', () => {
    expect(positionInMessage(`Unexpected token '}', "{"a": }" is not valid JSON`, '{"a": }')).toBeUndefined()
  })
})

describe('positionAt', () => {
  it('counts 1-based lines and columns when lines end with \\n or \\r\\n', () => {
    expect(positionAt('ab\ncd', 0)).toEqual({ line: 1, column: 1 })
    expect(positionAt('ab\ncd', 4)).toEqual({ line: 2, column: 2 })
    expect(positionAt('ab\r\ncd', 5)).toEqual({ line: 2, column: 2 })
  })
})
