import { createHash } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fileOverrides } from '../../src/persist/file-overrides.ts'
import type { BackendContext, PersistedOverrides } from '../../src/types.ts'
import { useTempDirs } from '../support/temp-dir.ts'

const tempDir = useTempDirs('hotconf-overrides-')

function context(): BackendContext & { readonly warnings: { code: string; message: string }[] } {
  const warnings: { code: string; message: string }[] = []
  return { environment: 'test', report: (w) => void warnings.push(w), warnings }
}

const doc: PersistedOverrides = {
  revision: 7,
  updatedAt: '2026-01-02T03:04:05.000Z',
  environment: 'production',
  overrides: { pool: { max: 30 }, features: { tags: ['a', 'b'] } },
}

describe('fileOverrides', () => {
  it('names itself after the path given and lists the file by its absolute path', async () => {
    const dir = await tempDir()
    const path = relative(process.cwd(), join(dir, 'overrides.json'))
    const backend = fileOverrides(path)
    expect(backend.name).toBe(`file:${path}`)
    expect(backend.files).toEqual([join(dir, 'overrides.json')])
  })

  it('saves the documented layout and loads it back', async () => {
    const path = join(await tempDir(), 'state', 'overrides.json')
    const backend = fileOverrides(path)
    const saved = await backend.save(doc)
    const text = await readFile(path, 'utf8')
    expect(text).toBe(`${JSON.stringify({ hotconf: 1, ...doc }, null, 2)}\n`)
    // The version is the content hash: what watchFiles recognises as the store's own write.
    expect(saved).toEqual({ version: createHash('sha256').update(text).digest('base64url') })
    expect(Object.keys(JSON.parse(text))).toEqual([
      'hotconf',
      'revision',
      'updatedAt',
      'environment',
      'overrides',
    ])
    const ctx = context()
    expect(await backend.load(ctx)).toMatchObject(doc)
    expect(ctx.warnings).toEqual([])
  })

  it('loads undefined when the file is missing', async () => {
    const ctx = context()
    expect(await fileOverrides(join(await tempDir(), 'overrides.json')).load(ctx)).toBeUndefined()
    expect(ctx.warnings).toEqual([])
  })

  it('loads a hand-written file that has only revision and overrides', async () => {
    const path = join(await tempDir(), 'overrides.json')
    await writeFile(path, '{ "revision": 0, "overrides": { "pool": { "max": 5 } } }')
    expect(await fileOverrides(path).load(context())).toMatchObject({
      revision: 0,
      updatedAt: '',
      environment: '',
      overrides: { pool: { max: 5 } },
    })
  })

  it.each([
    ['not JSON', 'overrides', 'line 1, column 1'],
    ['truncated', '{"hotconf":1,"revision":3,"overrides":{"pool":{"max":', 'line 1, column 54'],
    ['empty', '', 'line 1, column 1'],
    ['overrides as a list', '{"revision":1,"overrides":[]}', '"overrides" must be an object'],
    ['a string revision', '{"revision":"1","overrides":{}}', '"revision" must be a non-negative integer'],
    ['a fractional revision', '{"revision":1.5,"overrides":{}}', '"revision" must be a non-negative integer'],
    ['a numeric updatedAt', '{"revision":1,"updatedAt":5,"overrides":{}}', '"updatedAt" must be a string'],
    ['another format', '{"hotconf":2,"revision":1,"overrides":{}}', '"hotconf" is 2'],
    [
      'a nested __proto__ key',
      '{"revision":2,"overrides":{"a":{"__proto__":{"polluted":1}}}}',
      'at overrides.a.__proto__',
    ],
    ['a top-level __proto__ key', '{"revision":2,"overrides":{},"__proto__":{"polluted":1}}', 'at __proto__'],
    [
      'a constructor key',
      '{"revision":2,"overrides":{"constructor":{"prototype":{"polluted":1}}}}',
      'constructor',
    ],
    ['a prototype key', '{"revision":2,"overrides":{"x":{"prototype":1}}}', 'at overrides.x.prototype'],
  ])('moves the file aside and reports it when it holds %s', async (_kind, content, why) => {
    const dir = await tempDir()
    const path = join(dir, 'overrides.json')
    await writeFile(path, content)
    const backend = fileOverrides(path)
    const ctx = context()

    expect(await backend.load(ctx)).toBeUndefined()

    const names = await readdir(dir)
    expect(names).toEqual([
      expect.stringMatching(/^overrides\.json\.corrupt-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/),
    ])
    expect(ctx.warnings).toEqual([
      { code: 'CORRUPT_FILE', message: expect.stringContaining(join(dir, names[0]!)) },
    ])
    expect(ctx.warnings[0]!.message).toContain(why)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()

    await backend.save(doc)
    expect(await backend.load(ctx)).toMatchObject(doc)
  })

  it('rejects the save with the original error and keeps the old file when the directory is a file', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'file.txt'), 'keep')
    const backend = fileOverrides(join(dir, 'file.txt', 'overrides.json'))
    expect(await backend.load(context())).toBeUndefined()
    await expect(backend.save(doc)).rejects.toMatchObject({ code: 'ENOTDIR' })
    expect(await readFile(join(dir, 'file.txt'), 'utf8')).toBe('keep')
  })
})
