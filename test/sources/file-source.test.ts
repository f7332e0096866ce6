import { mkdir } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/errors.ts'
import { fileSource } from '../../src/sources/index.ts'
import { ctx, FIXTURES, loadFile, nested } from './load-file.ts'
import { useTempDir } from './temp-dir.ts'

const tmp = useTempDir()

describe('fileSource', () => {
  describe('reading', () => {
    it('returns plain data, its name, absolute path and a content hash when a YAML file loads', async () => {
      const path = join(FIXTURES, 'default.yaml')
      const got = await loadFile(path)
      expect(got.data).toEqual({
        server: { port: 8080, host: '0.0.0.0' },
        pool: { min: 2, max: 10 },
        features: { newUi: false, tags: ['a', 'b'] },
        limits: { eu: 5 },
      })
      expect(Object.getPrototypeOf(got.data)).toBe(Object.prototype)
      expect(got.name).toBe(`file:${path}`)
      expect(got.files).toEqual([path])
      expect(got.version).toMatch(/^[0-9a-f]{16}$/)
    })

    it('changes the version only when the bytes change', async () => {
      const path = await tmp.write('a.json', '{"pool": {"max": 1}}')
      const first = await loadFile(path)
      expect((await loadFile(path)).version).toBe(first.version)
      await tmp.write('a.json', '{"pool": {"max": 2}}')
      const second = await loadFile(path)
      expect(second.version).not.toBe(first.version)
      expect(second.data).toEqual({ pool: { max: 2 } })
    })

    it('reads the format the option names when the extension says nothing', async () => {
      const path = await tmp.write('app.conf', 'pool:\n  max: 3\n')
      expect((await loadFile(path, { format: 'yaml' })).data).toEqual({ pool: { max: 3 } })
    })

    it('expands {environment} at load time when the path has it', async () => {
      await tmp.write('staging.yaml', 'pool:\n  max: 7\n')
      const template = join(tmp.dir(), '{environment}.yaml')
      const source = fileSource(template)
      expect(source.name).toBe(`file:${template}`)
      const got = await source.load({ ...ctx, environment: 'staging' })
      expect(got.data).toEqual({ pool: { max: 7 } })
      expect(got.name).toBe(`file:${join(tmp.dir(), 'staging.yaml')}`)
      expect(got.files).toEqual([join(tmp.dir(), 'staging.yaml')])
    })

    it('resolves a relative path against the working directory at load time', async () => {
      await mkdir(join(tmp.dir(), 'config'))
      await tmp.write('config/test.json', '{"a": 1}')
      const source = fileSource('config/{environment}.json')
      const before = process.cwd()
      process.chdir(tmp.dir())
      try {
        const got = await source.load(ctx)
        expect(got).toMatchObject({ data: { a: 1 }, name: 'file:config/test.json' })
        expect(got.files).toEqual([join(process.cwd(), 'config', 'test.json')])
      } finally {
        process.chdir(before)
      }
    })

    it('returns an absent layer with its file when an optional file does not exist', async () => {
      const path = join(tmp.dir(), '{environment}.yaml')
      const got = await loadFile(path, { optional: true })
      expect(got).toEqual({
        data: undefined,
        name: `file:${join(tmp.dir(), 'test.yaml')}`,
        files: [join(tmp.dir(), 'test.yaml')],
      })
    })

    it('accepts a UTF-8 byte order mark when the file starts with one', async () => {
      const bom = [0xef, 0xbb, 0xbf]
      const yaml = await tmp.write('bom.yaml', new Uint8Array([...bom, ...Buffer.from('name: été\n')]))
      const json = await tmp.write('bom.json', new Uint8Array([...bom, ...Buffer.from('{"name": "été"}')]))
      expect((await loadFile(yaml)).data).toEqual({ name: 'été' })
      expect((await loadFile(json)).data).toEqual({ name: 'été' })
    })

    it('accepts 100 levels of nesting when the file is exactly that deep', async () => {
      const path = await tmp.write('deep.json', nested(100, '{"a":', '}', '1'))
      expect((await loadFile(path)).data).toBeTypeOf('object')
    })
  })

  describe('options', () => {
    it('throws BAD_OPTIONS at creation when the format cannot be told from the extension', () => {
      expect(() => fileSource('config/app.toml')).toThrow(ConfigError)
      expect(() => fileSource('config/app.toml')).toThrow(/format/)
      expect(() => fileSource('')).toThrow(ConfigError)
      expect(() => fileSource('a.yaml', { maxBytes: 0 })).toThrow(/maxBytes/)
    })

    it('names the layer by its template when it is created', () => {
      const path = relative(process.cwd(), join(FIXTURES, '{environment}.yml'))
      expect(fileSource(path).name).toBe(`file:${path}`)
    })
  })
})
