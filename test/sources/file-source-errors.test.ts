import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BROKEN } from '../fixtures/sources/broken.ts'
import { FIXTURES, fileIssues, loadFile, nested } from './load-file.ts'
import { useTempDir } from './temp-dir.ts'

const tmp = useTempDir()

describe('fileSource', () => {
  describe('errors', () => {
    it('throws SOURCE_MISSING naming the file when a required file does not exist', async () => {
      const path = join(tmp.dir(), 'missing.yaml')
      const [found] = await fileIssues(path)
      expect(found).toMatchObject({ code: 'SOURCE_MISSING', path: '', source: path })
    })

    it('throws PARSE_ERROR at the line and column when JSON has a trailing comma', async () => {
      const path = await tmp.write('trailing-comma.json', BROKEN['trailing-comma.json'])
      expect(await fileIssues(path)).toEqual([
        {
          code: 'PARSE_ERROR',
          path: '',
          message: 'Expected double-quoted property name',
          source: path,
          line: 4,
          column: 3,
        },
      ])
    })

    it('throws PARSE_ERROR at the line and column when V8 gives no position (a broken literal)', async () => {
      const path = await tmp.write('bad-literal.json', BROKEN['bad-literal.json'])
      const [found] = await fileIssues(path)
      expect(found).toMatchObject({ code: 'PARSE_ERROR', source: path, line: 3, column: 15 })
      // The source snippet V8 quotes may hold secrets: it stays out of the message.
      expect(found?.message).toBe('Unexpected token "\\n"')
    })

    it('throws PARSE_ERROR at the line and column when YAML is indented with a tab', async () => {
      const path = await tmp.write('tab-indent.yaml', BROKEN['tab-indent.yaml'])
      const [found] = await fileIssues(path)
      expect(found).toMatchObject({ code: 'PARSE_ERROR', path: '', source: path, line: 4, column: 1 })
      expect(found?.message).toMatch(/tab/i)
    })

    it('throws PARSE_ERROR at the second key when a YAML mapping repeats a key', async () => {
      const path = join(FIXTURES, 'duplicate-key.yaml')
      const [found] = await fileIssues(path)
      expect(found).toMatchObject({ code: 'PARSE_ERROR', source: path, line: 4, column: 3 })
      expect(found?.message).toMatch(/unique/)
    })

    it('throws PARSE_ERROR when the top level is not a mapping', async () => {
      const yaml = join(FIXTURES, 'top-level-list.yaml')
      expect(await fileIssues(yaml)).toEqual([
        expect.objectContaining({
          code: 'PARSE_ERROR',
          message: expect.stringContaining('top level must be a mapping'),
          line: 2,
          column: 1,
        }),
      ])
      const json = await tmp.write('list.json', '\n  [1, 2]')
      expect(await fileIssues(json)).toEqual([
        expect.objectContaining({
          code: 'PARSE_ERROR',
          message: expect.stringContaining('top level must be a mapping'),
          line: 2,
          column: 3,
        }),
      ])
      const comments = await tmp.write('comments.yaml', '# nothing yet\n')
      expect((await fileIssues(comments))[0]?.message).toContain('top level must be a mapping')
    })

    it('throws PARSE_ERROR "file is empty" when the file is empty or only whitespace', async () => {
      for (const [name, content] of Object.entries({ 'empty.yaml': '', 'blank.json': ' \n\t\r\n' })) {
        const path = await tmp.write(name, content)
        expect(await fileIssues(path)).toEqual([
          { code: 'PARSE_ERROR', path: '', message: 'file is empty', source: path },
        ])
      }
    })

    it('throws PARSE_ERROR when the bytes are not valid UTF-8', async () => {
      const path = await tmp.write('latin1.yaml', new Uint8Array([...Buffer.from('name: caf'), 0xe9, 0x0a]))
      const [found] = await fileIssues(path)
      expect(found).toMatchObject({ code: 'PARSE_ERROR', source: path })
      expect(found?.message).toMatch(/UTF-8/)
    })

    it('throws SOURCE_FAILED when the file is larger than maxBytes', async () => {
      const path = await tmp.write('big.json', JSON.stringify({ blob: 'x'.repeat(2000) }))
      expect((await fileIssues(path, { maxBytes: 1024 }))[0]).toMatchObject({
        code: 'SOURCE_FAILED',
        source: path,
      })
      expect((await loadFile(path, { maxBytes: 4096 })).data).toBeDefined()
    })

    it('throws SOURCE_FAILED when the path is a directory', async () => {
      await mkdir(join(tmp.dir(), 'conf.yaml'))
      const [found] = await fileIssues(join(tmp.dir(), 'conf.yaml'), { optional: true })
      expect(found).toMatchObject({ code: 'SOURCE_FAILED' })
    })

    it('throws PARSE_ERROR quickly when a YAML alias bomb would expand to billions of nodes', async () => {
      const path = join(FIXTURES, 'alias-bomb.yaml')
      const [found] = await fileIssues(path)
      expect(found).toMatchObject({ code: 'PARSE_ERROR', source: path })
      expect(found?.message).toMatch(/alias/)
    })

    it('throws INVALID, never a stack overflow, when JSON nests 10,000 levels deep', async () => {
      const path = await tmp.write('deep.json', nested(10_000, '{"a":', '}', '1'))
      const [found] = await fileIssues(path)
      expect(found).toMatchObject({
        code: 'INVALID',
        source: path,
        message: 'nesting is deeper than 100 levels',
      })
      expect(found?.path).toBe(Array(100).fill('a').join('.'))
    })

    it('throws INVALID at the line and column when YAML nests 10,000 levels deep', async () => {
      const flow = await tmp.write('flow.yaml', `a: ${nested(10_000, '[', ']', '')}`)
      expect((await fileIssues(flow))[0]).toMatchObject({ code: 'INVALID', line: 1, column: 103 })
      const block = await tmp.write('block.yaml', `a:\n${'- '.repeat(10_000)}x\n`)
      expect((await fileIssues(block))[0]).toMatchObject({ code: 'INVALID', line: 2, column: 199 })
    })

    it('throws INVALID when YAML aliases build nesting deeper than 100', async () => {
      // Each link wraps the one before in 21 lists: 5 links stay under the alias limit, 106 levels do not fit.
      const link = (i: number) => `l${i + 1}: &l${i + 1} ${nested(21, '[', ']', `*l${i}`)}`
      const chain = ['l0: &l0 [1]', ...Array.from({ length: 5 }, (_, i) => link(i))]
      const path = await tmp.write('chain.yaml', `${chain.join('\n')}\n`)
      expect((await fileIssues(path))[0]).toMatchObject({
        code: 'INVALID',
        message: 'nesting is deeper than 100 levels',
      })
    })

    it('throws INVALID and stops when a YAML alias refers to its own ancestor', async () => {
      const path = await tmp.write('cycle.yaml', 'a: &x\n  b: *x\n')
      expect((await fileIssues(path))[0]).toMatchObject({
        code: 'INVALID',
        message: 'nesting is deeper than 100 levels',
      })
    })

    it('throws FORBIDDEN_KEY with the path and position for every prototype key in YAML', async () => {
      const path = join(FIXTURES, 'proto.yaml')
      const issues = await fileIssues(path)
      expect(issues).toHaveLength(2)
      expect(issues).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            code: 'FORBIDDEN_KEY',
            path: 'pool.__proto__',
            source: path,
            line: 4,
            column: 3,
          }),
          expect.objectContaining({ code: 'FORBIDDEN_KEY', path: 'limits.constructor', line: 7, column: 3 }),
        ]),
      )
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    })

    it('throws FORBIDDEN_KEY with the path and position when JSON has __proto__', async () => {
      const path = join(FIXTURES, 'proto.json')
      expect(await fileIssues(path)).toEqual([
        expect.objectContaining({
          code: 'FORBIDDEN_KEY',
          path: 'pool.__proto__',
          source: path,
          line: 3,
          column: 5,
        }),
      ])
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    })

    it('throws INVALID at each path when numbers are not finite', async () => {
      const path = join(FIXTURES, 'non-finite.yaml')
      const issues = await fileIssues(path)
      expect(issues.map((i) => [i.code, i.path, i.line, i.column])).toEqual(
        expect.arrayContaining([
          ['INVALID', 'pool.max', 2, 8],
          ['INVALID', 'pool.min', 3, 8],
          ['INVALID', 'limits.a.1', 5, 10],
        ]),
      )
      expect(issues).toHaveLength(3)
      const json = await tmp.write('huge.json', '{"pool": {"max": 1e999}}')
      expect((await fileIssues(json))[0]).toMatchObject({
        code: 'INVALID',
        path: 'pool.max',
        line: 1,
        column: 18,
      })
    })

    it('throws PARSE_ERROR when YAML uses a tag it cannot resolve or holds two documents', async () => {
      const tag = await tmp.write('tag.yaml', 'apiKey: !env API_KEY\n')
      expect((await fileIssues(tag))[0]).toMatchObject({ code: 'PARSE_ERROR', line: 1, column: 9 })
      const binary = await tmp.write('binary.yaml', 'blob: !!binary aGVsbG8=\n')
      expect((await fileIssues(binary))[0]).toMatchObject({ code: 'PARSE_ERROR', line: 1, column: 7 })
      const two = await tmp.write('two.yaml', 'a: 1\n---\nb: 2\n')
      expect((await fileIssues(two))[0]).toMatchObject({ code: 'PARSE_ERROR', line: 2, column: 1 })
    })
  })
})
