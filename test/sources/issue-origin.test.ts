import { writeFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConfigError, type ConfigSource, createConfigStore } from '../../src/index.ts'
import { envSource, fileSource } from '../../src/sources/index.ts'
import { useTempDir } from './temp-dir.ts'

const tmp = useTempDir()
const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const schema = z.object({
  name: z.string().default('svc'),
  pool: z
    .object({ min: z.number().int().default(2), max: z.number().int().max(100).default(10) })
    .refine((p) => p.min <= p.max, { message: 'pool.min must be <= pool.max' }),
})

async function startError(sources: ConfigSource[], initial?: object): Promise<ConfigError> {
  const error = await createConfigStore({
    schema,
    sources,
    logger: quiet,
    ...(initial ? { initial: initial as never } : {}),
  }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ConfigError)
  return error as ConfigError
}

describe('issues name the layer that supplied the value (#16)', () => {
  it('names the YAML file, line and column of a bad value when two files feed the object', async () => {
    const base = await tmp.write('default.yaml', 'pool:\n  min: 1\n  max: 5\n')
    const profile = await tmp.write('production.yaml', 'name: orders\npool:\n  max: lots\n')
    const error = await startError([fileSource(base), fileSource(profile)])
    expect(error.issues).toEqual([
      expect.objectContaining({ code: 'INVALID', path: 'pool.max', source: profile, line: 3, column: 8 }),
    ])
    expect(error.message).toContain(`INVALID at pool.max (${profile}:3:8)`)
  })

  it('names the JSON file, line and column of a bad value', async () => {
    const base = await tmp.write('default.yaml', 'pool:\n  max: 5\n')
    const json = await tmp.write('local.json', '{\n  "pool": {\n    "min": 1,\n    "max": 500\n  }\n}\n')
    const error = await startError([fileSource(base), fileSource(json)])
    expect(error.issues).toEqual([
      expect.objectContaining({ code: 'INVALID', path: 'pool.max', source: json, line: 4, column: 12 }),
    ])
  })

  it('names the env var whose value the schema refuses', async () => {
    const base = await tmp.write('default.yaml', 'pool:\n  max: 5\n')
    const env = { APP_POOL__MAX: '500' }
    const error = await startError([fileSource(base), envSource({ prefix: 'APP_', env })])
    expect(error.issues).toEqual([
      expect.objectContaining({ code: 'INVALID', path: 'pool.max', source: 'APP_POOL__MAX' }),
    ])
  })

  it('names a key the schema does not have where the file writes it', async () => {
    const base = await tmp.write('default.yaml', 'pool:\n  max: 5\n  maxx: 6\n')
    const error = await startError([fileSource(base)])
    expect(error.issues).toEqual([
      expect.objectContaining({ code: 'UNKNOWN_KEY', path: 'pool.maxx', source: base, line: 3, column: 9 }),
    ])
  })

  it('names initial when the value came from the initial option', async () => {
    const error = await startError([], { pool: { max: 500 } })
    expect(error.issues).toEqual([expect.objectContaining({ path: 'pool.max', source: 'initial' })])
  })

  it('names every layer of an object a cross-field rule refuses, the highest first', async () => {
    const base = await tmp.write('default.yaml', 'name: a\npool:\n  min: 50\n')
    const env = { APP_POOL__MAX: '20' }
    const error = await startError([fileSource(base), envSource({ prefix: 'APP_', env })])
    expect(error.issues).toEqual([
      expect.objectContaining({ code: 'INVALID', path: 'pool', source: 'APP_POOL__MAX' }),
    ])
    expect(error.issues[0]?.message).toContain('pool.min must be <= pool.max')
    expect(error.issues[0]?.message).toContain(`(pool is set by APP_POOL__MAX, ${base}:2:1)`)
  })

  it('places an object at its key in a JSON file, and names a source without locate by its name', async () => {
    const json = await tmp.write('base.json', '{\n  "pool": { "min": 50 }\n}\n')
    const custom: ConfigSource = { name: 'custom', load: async () => ({ data: { pool: { max: 20 } } }) }
    const error = await startError([fileSource(json), custom])
    expect(error.issues).toEqual([expect.objectContaining({ path: 'pool', source: 'custom' })])
    expect(error.issues[0]?.message).toContain(`(pool is set by custom, ${json}:2:3)`)
  })

  it('names a source by its name when its locate throws', async () => {
    const custom: ConfigSource = {
      name: 'custom',
      load: async () => ({
        data: { pool: { max: 500 } },
        locate: () => {
          throw new Error('lost track')
        },
      }),
    }
    const error = await startError([custom])
    expect(error.issues).toEqual([expect.objectContaining({ path: 'pool.max', source: 'custom' })])
  })

  it('names the file, line and column in a rejected reload', async () => {
    const base = await tmp.write('default.yaml', 'pool:\n  max: 5\n')
    await using store = await createConfigStore({ schema, sources: [fileSource(base)], logger: quiet })
    await writeFile(base, 'name: x\npool:\n  max: 5000\n')
    const result = await store.reload()
    expect(result).toMatchObject({
      status: 'rejected',
      errors: [
        expect.objectContaining({ code: 'INVALID', path: 'pool.max', source: base, line: 3, column: 8 }),
      ],
    })
  })
})
