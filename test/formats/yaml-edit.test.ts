import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/errors.ts'
import { parseDocument, type ReadDocument } from '../../src/formats/parse-document.ts'

const utf8 = (text: string) => new TextEncoder().encode(text)

/** A full read, or the `ConfigError` issues it throws. */
async function read(text: string, previous?: ReadDocument): Promise<ReadDocument | readonly unknown[]> {
  try {
    return await parseDocument(utf8(text), 'yaml', 'app.yaml', undefined, previous?.state)
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map(({ code, path }) => ({ code, path }))
    throw error
  }
}

const outcome = (got: ReadDocument | readonly unknown[]) => ('value' in got ? got.value : got)

/** Documents where a `key: value` line may not be what it looks like. */
const DOCUMENTS = [
  'server:\n  port: 8080\n  host: a\npool:\n  min: 2\n  max: 10\n',
  'a:\n  b:\n    c: 1\n    d: 2\n  e: 3\nf: 4\n',
  'text: |\n  port: 1\n  host: 2\nport: 3\n',
  'text: >\n  port: 1\nport: 3\n',
  'base: &b\n  port: 1\nother:\n  <<: *b\n  host: 2\n',
  'flow: {\n  port: 1,\n  host: 2 }\nport: 3\n',
  'list:\n  - port: 1\n  - port: 2\nport: 3\n',
  'quoted: "a\n  port: 1\n  "\nport: 3\n',
  '# port: 1\nport: 2 # note\nhost: x\n',
  'a:\n  port: 1\n  port2: two words\n  more\n',
  'n: ~\nm: 0x1f\nk: 1.5\nt: true\n',
  '---\nport: 1\n...\n',
  'a: 1\r\nb: 2\r\n',
]
const VALUES = [
  '1',
  '2',
  'x',
  'true',
  'null',
  '~',
  '0x1f',
  '.inf',
  '1e999',
  '-1',
  '1.5',
  'yes',
  'a b',
  '"q"',
  '|',
  '&a 1',
  '*b',
  '[1]',
  '{}',
  '',
  ' 7',
  'port: 9',
]

/** Enough lines around a document that the edit is looked for in whole chunks too. */
const PAD = Array.from({ length: 400 }, (_, i) => `pad${i}: ${i}\n`).join('')

describe('editYaml (#23)', () => {
  test.prop([
    fc.constantFrom(...DOCUMENTS),
    fc.nat(),
    fc.constantFrom(...VALUES),
    fc.constantFrom(...VALUES),
    fc.constantFrom('', PAD),
    fc.constantFrom('', PAD),
  ])(
    'reads a one-line edit as a full parse of the new text would',
    async (body, at, first, second, before, after) => {
      const doc = before + body + after
      const lines = doc.split('\n')
      const i = at % lines.length
      const colon = lines[i]!.indexOf(': ')
      const edit = (value: string) => {
        const copy = [...lines]
        copy[i] = colon === -1 ? `${copy[i]}${value}` : `${copy[i]!.slice(0, colon + 2)}${value}`
        return copy.join('\n')
      }
      const start = await read(doc)
      if (!('value' in start)) return
      // Two edits in a row: the second starts from the state the first left.
      const once = await read(edit(first), start)
      expect(outcome(once)).toEqual(outcome(await read(edit(first))))
      if (!('value' in once)) return
      const twice = await read(edit(second), once)
      expect(outcome(twice)).toEqual(outcome(await read(edit(second))))
    },
  )

  it('copies only the path to an edited value: the rest keeps its identity', async () => {
    const doc = 'server:\n  port: 8080\n  host: a\npool:\n  min: 2\n  max: 10\n'
    const first = (await read(doc)) as ReadDocument
    const next = (await read(doc.replace('max: 10', 'max: 12'), first)) as ReadDocument
    expect(next.value).toEqual({ server: { port: 8080, host: 'a' }, pool: { min: 2, max: 12 } })
    expect(next.value.server).toBe(first.value.server)
    expect(next.value.pool).not.toBe(first.value.pool)
    expect(first.value).toEqual({ server: { port: 8080, host: 'a' }, pool: { min: 2, max: 10 } })
  })

  it("reports a key with an unclosed quote as a PARSE_ERROR instead of throwing the parser's error", async () => {
    expect(await read('quoted:\n  port: 1\n  "\nport: 3\n')).toContainEqual({ code: 'PARSE_ERROR', path: '' })
  })

  it('reports a non-finite number in an edited value as a full parse does', async () => {
    const first = (await read('pool:\n  max: 10\n')) as ReadDocument
    expect(await read('pool:\n  max: .inf\n', first)).toEqual([{ code: 'INVALID', path: 'pool.max' }])
  })
})
