import { execFileSync } from 'node:child_process'
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/errors.ts'
import { type CorruptReport, createJsonFile } from '../../src/persist/json-file.ts'
import { useTempDirs } from '../support/temp-dir.ts'
import { asRoot, CHMOD_SKIP, withMode } from './no-access.ts'

const tempDir = useTempDirs('hotconf-json-')

interface Counter {
  readonly count: number
}

function parseCounter(raw: Record<string, unknown>): Counter {
  if (typeof raw.count !== 'number') throw new Error('"count" must be a number')
  return { count: raw.count }
}

const counterFile = (path: string) => createJsonFile(path, { parse: parseCounter })

/** A report function that remembers what it was told. */
function reports(): CorruptReport & { readonly calls: { code: string; message: string }[] } {
  const calls: { code: string; message: string }[] = []
  return Object.assign((warning: { code: string; message: string }) => void calls.push(warning), { calls })
}

const CORRUPT_NAME = /^state\.json\.corrupt-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/

describe('createJsonFile', () => {
  it('reads back what it wrote, as pretty JSON with a final newline, owner-only', async () => {
    const path = join(await tempDir(), 'state.json')
    const file = counterFile(path)
    expect(file.path).toBe(path)
    await file.write({ count: 3 })
    expect(await readFile(path, 'utf8')).toBe('{\n  "count": 3\n}\n')
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const report = reports()
    expect(await file.read(report)).toEqual({ count: 3 })
    expect(report.calls).toEqual([])
  })

  it('reads undefined and reports nothing when the file is missing', async () => {
    const dir = await tempDir()
    const report = reports()
    expect(await counterFile(join(dir, 'state.json')).read(report)).toBeUndefined()
    expect(report.calls).toEqual([])
    expect(await readdir(dir)).toEqual([])
  })

  it('creates missing parent directories when it writes', async () => {
    const dir = await tempDir()
    const path = join(dir, 'a', 'b', 'state.json')
    await counterFile(path).write({ count: 1 })
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ count: 1 })
  })

  it('keeps the order of the calls when writes overlap, so the last call wins', async () => {
    const path = join(await tempDir(), 'state.json')
    const file = counterFile(path)
    await Promise.all(Array.from({ length: 20 }, (_, count) => file.write({ count })))
    expect(await file.read(reports())).toEqual({ count: 19 })
  })

  it.each([
    ['garbage', 'not json at all {', 'line 1, column 2'],
    ['truncated', '{\n  "count": ', 'line 2, column 12'],
    ['empty', '', 'line 1, column 1'],
    ['a top-level list', '[1, 2]', 'top level must be a mapping'],
    ['the wrong shape', '{ "count": "three" }', '"count" must be a number'],
  ])(
    'moves the file aside, reports why, reads undefined, and writes anew when it is %s',
    async (_kind, content, why) => {
      const dir = await tempDir()
      const path = join(dir, 'state.json')
      await writeFile(path, content)
      const file = counterFile(path)
      const report = reports()

      expect(await file.read(report)).toBeUndefined()

      const names = await readdir(dir)
      expect(names).toHaveLength(1)
      expect(names[0]).toMatch(CORRUPT_NAME)
      const aside = join(dir, names[0]!)
      expect(await readFile(aside, 'utf8')).toBe(content)
      expect(report.calls).toHaveLength(1)
      expect(report.calls[0]!.code).toBe('CORRUPT_FILE')
      expect(report.calls[0]!.message).toContain(path)
      expect(report.calls[0]!.message).toContain(aside)
      expect(report.calls[0]!.message).toContain(why)

      await file.write({ count: 4 })
      expect(await file.read(report)).toEqual({ count: 4 })
      expect(report.calls).toHaveLength(1)
    },
  )

  it('keeps the file’s content out of the report when the JSON is bad', async () => {
    const path = join(await tempDir(), 'state.json')
    await writeFile(path, '{"apiKey": "s3cr3t-value" "count": 1}')
    const report = reports()
    await counterFile(path).read(report)
    expect(report.calls[0]!.message).toContain('line 1, column 27')
    expect(report.calls[0]!.message).not.toContain('s3cr3t')
  })

  it.each([
    ['a directory', (path: string) => mkdir(path)],
    ['a FIFO (issue 15)', async (path: string) => void execFileSync('mkfifo', [path])],
  ])('throws SOURCE_FAILED naming the file, without reading it, when the path is %s', async (_, make) => {
    const dir = await tempDir()
    const path = join(dir, 'state.json')
    await make(path)
    const error = await counterFile(path)
      .read(reports())
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect(error).toMatchObject({ code: 'SOURCE_FAILED', issues: [{ source: path }] })
    expect((error as Error).message).toContain(`${path} is not a regular file`)
    expect(await readdir(dir)).toEqual(['state.json'])
  })

  it('throws SOURCE_FAILED, without reading or moving it, when the file is larger than maxBytes (issue 15)', async () => {
    const dir = await tempDir()
    const path = join(dir, 'state.json')
    await writeFile(path, `{"count": 1, "pad": "${'x'.repeat(100)}"}`)
    const file = createJsonFile(path, { parse: parseCounter, maxBytes: 64 })
    await expect(file.read(reports())).rejects.toMatchObject({
      code: 'SOURCE_FAILED',
      message: expect.stringContaining('more than maxBytes (64)'),
    })
    expect(await readdir(dir)).toEqual(['state.json'])
    expect(await createJsonFile(path, { parse: parseCounter, maxBytes: 1024 }).read(reports())).toEqual({
      count: 1,
    })
  })

  it('refuses a maxBytes that is not a positive integer', () => {
    for (const maxBytes of [0, -1, 1.5, Number.NaN]) {
      expect(() => createJsonFile('state.json', { parse: parseCounter, maxBytes })).toThrow(
        expect.objectContaining({ code: 'BAD_OPTIONS', path: 'maxBytes' }),
      )
    }
  })

  it.skipIf(asRoot)(`throws SOURCE_FAILED when the file is not readable (EACCES)${CHMOD_SKIP}`, async () => {
    const path = join(await tempDir(), 'state.json')
    await writeFile(path, '{"count": 1}')
    await withMode(path, 0o000, async () => {
      await expect(counterFile(path).read(reports())).rejects.toMatchObject({
        code: 'SOURCE_FAILED',
        cause: { code: 'EACCES' },
      })
    })
  })

  it('reads undefined but fails to write with ENOTDIR, changing nothing, when a path component is a file', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'file.txt'), 'keep')
    for (const path of [join(dir, 'file.txt', 'state.json'), join(dir, 'file.txt', 'sub', 'state.json')]) {
      const file = counterFile(path)
      expect(await file.read(reports())).toBeUndefined()
      await expect(file.write({ count: 1 })).rejects.toMatchObject({ code: 'ENOTDIR' })
    }
    expect(await readFile(join(dir, 'file.txt'), 'utf8')).toBe('keep')
    expect(await readdir(dir)).toEqual(['file.txt'])
  })

  it.skipIf(asRoot)(
    `fails to write with EACCES and keeps the old file in a read-only directory${CHMOD_SKIP}`,
    async () => {
      const dir = await tempDir()
      const path = join(dir, 'state.json')
      const file = counterFile(path)
      await file.write({ count: 1 })
      await withMode(dir, 0o555, async () => {
        await expect(file.write({ count: 2 })).rejects.toMatchObject({ code: 'EACCES' })
      })
      expect(await file.read(reports())).toEqual({ count: 1 })
      expect(await readdir(dir)).toEqual(['state.json'])
    },
  )

  it.skipIf(asRoot)(`still reports a corrupt file it cannot move aside${CHMOD_SKIP}`, async () => {
    const dir = await tempDir()
    const path = join(dir, 'state.json')
    await writeFile(path, '{')
    const report = reports()
    await withMode(dir, 0o555, async () => {
      expect(await counterFile(path).read(report)).toBeUndefined()
    })
    expect(report.calls).toEqual([
      { code: 'CORRUPT_FILE', message: expect.stringMatching(/could not move it aside .*EACCES/) },
    ])
  })

  it('rejects a document that JSON cannot hold, and the next write still goes through', async () => {
    const path = join(await tempDir(), 'state.json')
    const file = counterFile(path)
    await expect(file.write({ count: () => 1 } as never)).rejects.toThrow(
      'a function at count cannot be persisted',
    )
    await file.write({ count: 2 })
    expect(await file.read(reports())).toEqual({ count: 2 })
  })

  it('throws BAD_OPTIONS at creation when no parse function is given', () => {
    expect(() => createJsonFile('x.json', parseCounter as never)).toThrow(
      expect.objectContaining({ code: 'BAD_OPTIONS' }),
    )
  })
})
