import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConfigError } from '../../src/errors.ts'
import { type EnvSourceOptions, envSource } from '../../src/sources/index.ts'
import type { ConfigIssue, SourceData } from '../../src/types.ts'

const schema = z.object({
  server: z.object({ port: z.number().int().default(8080), host: z.string().default('127.0.0.1') }),
  pool: z.object({ min: z.number().int().default(2), max: z.number().int().default(10) }),
  apiKey: z.string().optional(),
  featureFlags: z.object({ newUi: z.boolean().default(false) }).prefault({}),
  big: z.bigint().optional(),
  level: z.enum(['debug', 'info']).default('info'),
  mode: z.literal(5).optional(),
  tags: z.array(z.string()).default([]),
  limits: z.record(z.string(), z.number()).default({}),
  target: z.union([z.number(), z.string()]).optional(),
  retries: z.string().transform(Number).optional(),
  when: z.coerce.date().optional(),
})

function load(env: Record<string, string>, options: Partial<EnvSourceOptions> = {}): Promise<SourceData> {
  return envSource({ prefix: 'APP_', env, ...options }).load({ environment: 'test', schema })
}

async function issuesOf(
  env: Record<string, string>,
  options?: Partial<EnvSourceOptions>,
): Promise<ConfigIssue[]> {
  const error = await load(env, options).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ConfigError)
  return [...(error as ConfigError).issues]
}

describe('envSource', () => {
  describe('coercion', () => {
    it('coerces each value by the schema type at its path', async () => {
      const got = await load({
        APP_POOL__MAX: '20',
        APP_SERVER__HOST: '0.0.0.0',
        APP_BIG: '9007199254740993',
        APP_LEVEL: 'debug',
        APP_MODE: '5',
        APP_TAGS: '["a","b"]',
        APP_LIMITS: '{"eu": 3}',
        APP_RETRIES: '7',
        APP_WHEN: '2024-05-01',
      })
      expect(got.data).toEqual({
        pool: { max: 20 },
        server: { host: '0.0.0.0' },
        big: 9007199254740993n,
        level: 'debug',
        mode: 5,
        tags: ['a', 'b'],
        limits: { eu: 3 },
        retries: '7',
        when: '2024-05-01',
      })
    })

    it('reads every spelling of a boolean when the schema wants one', async () => {
      const spellings = { true: ['true', 'TRUE', '1', 'yes', 'On'], false: ['false', '0', 'No', 'OFF'] }
      for (const [expected, words] of Object.entries(spellings)) {
        for (const word of words) {
          const got = await load({ APP_FEATURE_FLAGS__NEW_UI: word })
          expect(got.data, word).toEqual({ featureFlags: { newUi: expected === 'true' } })
        }
      }
    })

    it('takes JSON, else the text, when the schema wants a union', async () => {
      expect((await load({ APP_TARGET: '42' })).data).toEqual({ target: 42 })
      expect((await load({ APP_TARGET: 'eu-west' })).data).toEqual({ target: 'eu-west' })
    })

    it('collects an INVALID issue naming each variable when values do not fit their type', async () => {
      const issues = await issuesOf({
        APP_POOL__MAX: 'abc',
        APP_POOL__MIN: '',
        APP_SERVER__PORT: 'NaN',
        APP_LIMITS__EU: 'Infinity',
        APP_FEATURE_FLAGS__NEW_UI: 'maybe',
        APP_TAGS: '[a, b]',
        APP_BIG: '1.5',
      })
      expect(issues.map((i) => [i.code, i.path, i.source])).toEqual(
        expect.arrayContaining([
          ['INVALID', 'pool.max', 'APP_POOL__MAX'],
          ['INVALID', 'pool.min', 'APP_POOL__MIN'],
          ['INVALID', 'server.port', 'APP_SERVER__PORT'],
          ['INVALID', 'limits.eu', 'APP_LIMITS__EU'],
          ['INVALID', 'featureFlags.newUi', 'APP_FEATURE_FLAGS__NEW_UI'],
          ['INVALID', 'tags', 'APP_TAGS'],
          ['INVALID', 'big', 'APP_BIG'],
        ]),
      )
      expect(issues).toHaveLength(7)
    })

    it('keeps the value out of the message when a value does not fit (it may be a secret)', async () => {
      const [found] = await issuesOf({ APP_POOL__MAX: 'hunter2-secret' })
      expect(found?.message).not.toContain('hunter2')
      expect(found?.message).toContain('APP_POOL__MAX')
    })

    it('rejects a JSON value with a non-finite number or deep nesting', async () => {
      const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`
      const issues = await issuesOf({ APP_LIMITS: '{"eu": 1e999}', APP_TAGS: deep })
      expect(issues).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ code: 'INVALID', path: 'limits.eu', source: 'APP_LIMITS' }),
          expect.objectContaining({
            code: 'INVALID',
            message: 'nesting is deeper than 100 levels',
            source: 'APP_TAGS',
          }),
        ]),
      )
    })
  })

  describe('names', () => {
    it('matches schema keys without case and single underscores', async () => {
      const got = await load({ APP_API_KEY: 'k', APP_FEATURE_FLAGS__NEW_UI: 'yes', APP_pool__Max: '3' })
      expect(got.data).toEqual({ apiKey: 'k', featureFlags: { newUi: true }, pool: { max: 3 } })
    })

    it('uses the lower-cased part as the key when it is below a record', async () => {
      const got = await load({ APP_LIMITS__EU_WEST: '5' })
      expect(got.data).toEqual({ limits: { eu_west: 5 } })
    })

    it('splits on the separator it is given', async () => {
      const got = await load({ 'APP_pool.max': '4' }, { separator: '.' })
      expect(got.data).toEqual({ pool: { max: 4 } })
    })

    it("throws UNKNOWN_KEY naming the variable when it names no schema key and unknown is 'error'", async () => {
      const issues = await issuesOf(
        {
          APP_POOL__MAXIMUM: '1',
          APP_NOPE: 'x',
          APP_POOL__MAX__DEEPER: '1',
          APP_POOL____MAX: '1',
        },
        { unknown: 'error' },
      )
      expect(issues.map((i) => [i.code, i.source, i.path])).toEqual(
        expect.arrayContaining([
          ['UNKNOWN_KEY', 'APP_POOL__MAXIMUM', 'pool.MAXIMUM'],
          ['UNKNOWN_KEY', 'APP_NOPE', 'NOPE'],
          ['UNKNOWN_KEY', 'APP_POOL__MAX__DEEPER', 'pool.max.DEEPER'],
          ['UNKNOWN_KEY', 'APP_POOL____MAX', 'pool.'],
        ]),
      )
      expect(issues).toHaveLength(4)
      expect(issues.find((i) => i.source === 'APP_POOL__MAXIMUM')?.message).toContain('min, max')
    })

    it('leaves out a variable that names no schema key and warns about it by default (#16)', async () => {
      const got = await load({ APP_ENV: 'production', APP_POOL__MAXIMUM: '1', APP_POOL__MAX: '4' })
      expect(got.data).toEqual({ pool: { max: 4 } })
      expect(got.warnings?.map((w) => [w.code, w.source, w.path])).toEqual([
        ['UNKNOWN_KEY', 'APP_ENV', 'ENV'],
        ['UNKNOWN_KEY', 'APP_POOL__MAXIMUM', 'pool.MAXIMUM'],
      ])
      expect(got.warnings?.[0]?.message).toContain("unknown: 'error'")
    })

    it("leaves out an unknown variable silently when unknown is 'ignore'", async () => {
      const got = await load({ APP_ENV: 'production', APP_POOL__MAX: '4' }, { unknown: 'ignore' })
      expect(got).toMatchObject({ data: { pool: { max: 4 } } })
      expect(got.warnings).toBeUndefined()
    })

    it('still throws for a bad value, a forbidden name or two variables for one path when unknown ones only warn', async () => {
      const issues = await issuesOf({ APP_ENV: 'x', APP_POOL__MAX: 'lots', APP_CONSTRUCTOR: '1' })
      expect(issues.map((i) => [i.code, i.source])).toEqual([
        ['FORBIDDEN_KEY', 'APP_CONSTRUCTOR'],
        ['INVALID', 'APP_POOL__MAX'],
      ])
    })

    it('throws BAD_OPTIONS when unknown is not warn, error or ignore', () => {
      expect(() => envSource({ prefix: 'APP_', unknown: 'loud' as never })).toThrow(
        expect.objectContaining({ code: 'BAD_OPTIONS' }),
      )
    })

    it('throws UNKNOWN_KEY when a part matches two schema keys', async () => {
      const twins = z.object({ apiKey: z.string().optional(), api_key: z.string().optional() })
      const source = envSource({ prefix: 'APP_', env: { APP_API_KEY: 'k', APP_apiKey: 'exact' } })
      const error = await source.load({ environment: 'test', schema: twins }).catch((e: unknown) => e)
      expect((error as ConfigError).issues).toEqual([
        expect.objectContaining({
          code: 'UNKNOWN_KEY',
          source: 'APP_API_KEY',
          message: expect.stringContaining('more than one key'),
        }),
      ])
    })

    it('throws INVALID when two variables set the same path', async () => {
      const issues = await issuesOf({ APP_POOL__MAX: '1', APP_pool__max: '2' })
      expect(issues).toEqual([expect.objectContaining({ code: 'INVALID', path: 'pool.max' })])
      expect(issues[0]?.message).toContain('APP_POOL__MAX')
      expect(issues[0]?.message).toContain('APP_pool__max')
    })

    it('throws FORBIDDEN_KEY for a prototype key in a name or a JSON value, and nothing is polluted', async () => {
      const issues = await issuesOf({
        APP_CONSTRUCTOR: '1',
        APP_LIMITS__PROTOTYPE: '1',
        APP_LIMITS: '{"__proto__": {"polluted": true}}',
      })
      expect(issues.map((i) => [i.code, i.path, i.source])).toEqual(
        expect.arrayContaining([
          ['FORBIDDEN_KEY', 'constructor', 'APP_CONSTRUCTOR'],
          ['FORBIDDEN_KEY', 'limits.prototype', 'APP_LIMITS__PROTOTYPE'],
          ['FORBIDDEN_KEY', 'limits.__proto__', 'APP_LIMITS'],
        ]),
      )
      const dotted = await issuesOf({ 'APP_limits.__proto__': '{"polluted": true}' }, { separator: '.' })
      expect(dotted).toEqual([expect.objectContaining({ code: 'FORBIDDEN_KEY', path: 'limits.__proto__' })])
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    })
  })

  describe('layer', () => {
    it('names the variable behind a path, or a path below it', async () => {
      const got = await load({ APP_POOL: '{"min": 1}', APP_POOL__MAX: '9', APP_LIMITS: '{"eu": 2}' })
      expect(got.data).toEqual({ pool: { min: 1, max: 9 }, limits: { eu: 2 } })
      expect(got.origin?.('pool.max')).toBe('env:APP_POOL__MAX')
      expect(got.origin?.('pool.min')).toBe('env:APP_POOL')
      expect(got.origin?.('limits.eu')).toBe('env:APP_LIMITS')
      expect(got.origin?.('server.port')).toBeUndefined()
      expect(got.origin?.('')).toBeUndefined()
    })

    it('is named by its prefix, has no files, and ignores variables without the prefix', async () => {
      const got = await load({ APP_POOL__MAX: '1', OTHER_POOL__MAX: '2', PATH: '/bin' })
      expect(envSource({ prefix: 'APP_' }).name).toBe('env:APP_*')
      expect(got).toMatchObject({ name: 'env:APP_*', data: { pool: { max: 1 } } })
      expect(got.files).toBeUndefined()
    })

    it('reads the environment again on every load', async () => {
      const env: Record<string, string> = { APP_POOL__MAX: '1' }
      const source = envSource({ prefix: 'APP_', env })
      expect((await source.load({ environment: 'test', schema })).data).toEqual({ pool: { max: 1 } })
      env.APP_POOL__MAX = '2'
      expect((await source.load({ environment: 'test', schema })).data).toEqual({ pool: { max: 2 } })
    })

    describe('process.env', () => {
      afterEach(() => {
        delete process.env.HOTCONF_ENV_TEST_POOL__MAX
      })

      it('reads process.env when no env is given', async () => {
        process.env.HOTCONF_ENV_TEST_POOL__MAX = '12'
        const got = await envSource({ prefix: 'HOTCONF_ENV_TEST_' }).load({ environment: 'test', schema })
        expect(got.data).toEqual({ pool: { max: 12 } })
      })
    })

    it('throws BAD_OPTIONS at creation when the prefix or separator is empty', () => {
      expect(() => envSource({ prefix: '' })).toThrow(ConfigError)
      expect(() => envSource({ prefix: 'APP_', separator: '' })).toThrow(/separator/)
    })
  })
})
