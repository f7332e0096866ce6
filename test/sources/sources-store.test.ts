import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConfigError } from '../../src/errors.ts'
import { createConfigStore } from '../../src/index.ts'
import { envSource, fileSource } from '../../src/sources/index.ts'
import { appSchema } from '../fixtures/schemas.ts'
import { useTempDir } from './temp-dir.ts'

const tmp = useTempDir()
const quiet = { debug() {}, info() {}, warn() {}, error() {} }

async function openStore(env: Record<string, string>, environment = 'development') {
  return createConfigStore({
    schema: appSchema,
    environment,
    logger: quiet,
    sources: [
      fileSource(join(tmp.dir(), 'default.yaml')),
      fileSource(join(tmp.dir(), '{environment}.json'), { optional: true }),
      envSource({ prefix: 'APP_', env }),
    ],
  })
}

describe('envSource unknown variables in a store (#16)', () => {
  const schema = z.object({ environment: z.string().default('development'), pool: appSchema.shape.pool })

  it("starts with the README's pattern: APP_ENV read by the app, warned about once", async () => {
    const warned: string[] = []
    const logger = { ...quiet, warn: (msg: string) => void warned.push(msg) }
    const env = { APP_ENV: 'production', APP_POOL__MAX: '12' } as Record<string, string> & { APP_ENV: string }
    await using store = await createConfigStore({
      schema,
      environment: env.APP_ENV,
      logger,
      sources: [envSource({ prefix: 'APP_', env })],
    })
    expect(store.current.pool.max).toBe(12)
    expect(store.status().warnings).toEqual([
      expect.objectContaining({ code: 'UNKNOWN_KEY', message: expect.stringContaining('APP_ENV') }),
    ])
    expect(warned).toEqual([expect.stringContaining('APP_ENV')])

    // The same variable again: no new warning. A new one: a warning, and the reload still commits.
    expect(await store.reload()).toMatchObject({ status: 'unchanged' })
    env.APP_POOL__MAX = '13'
    env.APP_REGION = 'eu'
    expect(await store.reload()).toMatchObject({ status: 'committed' })
    expect(await store.reload()).toMatchObject({ status: 'unchanged' })
    // Newest first.
    expect(store.status().warnings.map((w) => w.message)).toEqual([
      expect.stringContaining('APP_REGION'),
      expect.stringContaining('APP_ENV'),
    ])
    expect(warned).toHaveLength(2)
  })

  it("refuses to start, and rejects a reload, on an unknown variable when unknown is 'error'", async () => {
    const env: Record<string, string> = { APP_POOL__MAX: '12' }
    const open = () =>
      createConfigStore({
        schema,
        logger: quiet,
        sources: [envSource({ prefix: 'APP_', env, unknown: 'error' })],
      })
    await using store = await open()
    env.APP_ENV = 'production'
    expect(await store.reload()).toMatchObject({
      status: 'rejected',
      errors: [expect.objectContaining({ code: 'UNKNOWN_KEY', source: 'APP_ENV' })],
    })
    await expect(open()).rejects.toMatchObject({ code: 'UNKNOWN_KEY', path: 'ENV' })
  })
})

describe('fileSource and envSource in a store', () => {
  it('merges defaults, files in order and env, env winning, and explains each value', async () => {
    const base = await tmp.write('default.yaml', 'server:\n  host: 0.0.0.0\npool:\n  max: 8\n  min: 1\n')
    const profile = await tmp.write('production.json', '{"pool": {"max": 12}, "features": {"tags": ["p"]}}')
    await using store = await openStore({ APP_POOL__MAX: '20', APP_FEATURES__NEW_UI: 'on' }, 'production')

    expect(store.current.pool).toEqual({ min: 1, max: 20 })
    expect(store.current.server).toEqual({ host: '0.0.0.0', port: 8080 })
    expect(store.current.features).toEqual({ newUi: true, tags: ['p'] })
    expect(store.explain('pool.max')).toEqual({
      path: 'pool.max',
      value: 20,
      layer: 'env:APP_POOL__MAX',
      shadowed: [
        { layer: `file:${profile}`, value: 12 },
        { layer: `file:${base}`, value: 8 },
        { layer: 'default', value: 10 },
      ],
    })
    expect(store.explain('server.host').layer).toBe(`file:${base}`)
    expect(store.sources()).toEqual([
      { name: `file:${base}`, files: [base] },
      { name: `file:${profile}`, files: [profile] },
      { name: 'env:APP_*', files: [] },
    ])
  })

  it('starts without the optional profile when its file is absent, and lists the file for watchers', async () => {
    await tmp.write('default.yaml', 'pool:\n  max: 8\n')
    await using store = await openStore({})
    expect(store.current.pool.max).toBe(8)
    expect(store.sources()[1]?.files).toEqual([join(tmp.dir(), 'development.json')])
  })

  it('refuses to start with every issue when a file and a variable are broken', async () => {
    const base = await tmp.write('default.yaml', 'pool:\n  max: 8\n  max: 9\n')
    const error = await openStore({ APP_POOL__MAX: 'lots' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'PARSE_ERROR', source: base, line: 3, column: 3 }),
        expect.objectContaining({ code: 'INVALID', source: 'APP_POOL__MAX' }),
      ]),
    )
  })

  it('reloads an edited file and rejects an emptied one, keeping the live config', async () => {
    const base = await tmp.write('default.yaml', 'pool:\n  max: 8\n')
    await using store = await openStore({})
    await writeFile(base, 'pool:\n  max: 9\n')
    expect(await store.reload()).toMatchObject({
      status: 'committed',
      changes: [{ path: 'pool.max', from: 8, to: 9 }],
    })

    await writeFile(base, '')
    const result = await store.reload()
    expect(result).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'PARSE_ERROR', message: 'file is empty', source: base }],
    })
    expect(store.current.pool.max).toBe(9)
  })

  it("records each file's content hash as the reload's version in history, the unchanged file's too", async () => {
    const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16)
    const base = await tmp.write('default.yaml', 'pool:\n  max: 8\n')
    await tmp.write('development.json', '{ "pool": { "min": 2 } }')
    await using store = await openStore({})
    await writeFile(base, 'pool:\n  max: 9\n')
    expect(await store.reload()).toMatchObject({ status: 'committed' })
    expect(store.history({ limit: 1 })[0]!.persistedVersion).toBe(
      `${sha('pool:\n  max: 9\n')},${sha('{ "pool": { "min": 2 } }')}`,
    )
  })

  it('rejects a reload whose file holds __proto__ and leaves Object.prototype alone', async () => {
    const base = await tmp.write('default.yaml', 'pool:\n  max: 8\n')
    await using store = await openStore({})
    await writeFile(base, 'pool:\n  __proto__:\n    polluted: true\n')
    const result = await store.reload()
    expect(result).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'FORBIDDEN_KEY', path: 'pool.__proto__' }],
    })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(store.current.pool.max).toBe(8)
  })
})
