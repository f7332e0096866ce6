import { readFile, writeFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createAdminApp } from '../../src/adapters/http/index.ts'
import { createConfigStore } from '../../src/index.ts'
import { envSource, fileSource } from '../../src/sources/index.ts'
import type { ConfigIssue, ConfigSource, ConfigStore, UpdateResult } from '../../src/types.ts'
import { ADMIN, memoryLogger, schema, type TestConfig, TOKENS } from '../adapters/http/fixture.ts'
import { useTempDirs } from '../support/temp-dir.ts'

/** One bad (or, with `code: null`, good) input from test/corpus/cases.json and what it must produce. */
interface Case {
  readonly file: string
  readonly door: 'file' | 'env' | 'api' | 'http'
  readonly code: string | null
  readonly path?: string
  readonly line?: number
  readonly status?: number
  readonly pendingRestart?: string
}

const CORPUS = new URL('../corpus/', import.meta.url)
const cases = JSON.parse(await readFile(new URL('cases.json', CORPUS), 'utf8')) as Case[]
const bytesOf = (c: Case) => readFile(new URL(c.file, CORPUS))
const byDoor = (door: Case['door']) => cases.filter((c) => c.door === door)
/** Small enough that the corpus's `huge` documents stay small on disk. */
const MAX_BYTES = 64 * 1024

const tempDir = useTempDirs('hotconf-corpus-')
const open: ConfigStore<TestConfig>[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
})

/** A store persisting to an overrides file, with one override already written so the file exists. */
async function storeWith(dir: string, sources: ConfigSource[]) {
  const overrides = join(dir, 'overrides.json')
  const store = await createConfigStore({
    schema,
    initial: { name: 'svc' },
    environment: 'test',
    sources,
    overrides: { file: overrides },
    logger: memoryLogger(),
  })
  open.push(store)
  // On a key no corpus case touches, so the override never hides a bad value below it.
  expect(await store.set('db.host', 'seed-host')).toMatchObject({ status: 'committed' })
  const before = {
    config: store.current,
    revision: store.revision,
    overrides: await readFile(overrides, 'utf8'),
  }
  /** The live config, its revision and the overrides file are exactly as before the bad input. */
  const unchanged = async () => {
    expect(store.current).toBe(before.config)
    expect(store.revision).toBe(before.revision)
    expect(await readFile(overrides, 'utf8')).toBe(before.overrides)
  }
  /** A good update still commits, and persists. */
  const stillWorks = async () => {
    expect(await store.set('pool.min', 3)).toMatchObject({ status: 'committed', revision: store.revision })
    expect(JSON.parse(await readFile(overrides, 'utf8')).overrides).toEqual({
      db: { host: 'seed-host' },
      pool: { min: 3 },
    })
  }
  return { store, unchanged, stillWorks }
}

function expectOutcome(c: Case, result: UpdateResult): void {
  if (c.code === null) {
    expect(result.status).toBe('committed')
    if (c.pendingRestart && result.status === 'committed') {
      expect(result.pendingRestart?.map((p) => p.path)).toContain(c.pendingRestart)
    }
    return
  }
  expect(result.status).toBe('rejected')
  const errors = 'errors' in result ? result.errors : []
  expect(errors.map((e) => e.code)).toContain(c.code)
  const match = errors.find((e) => e.code === c.code) as ConfigIssue
  if (c.path !== undefined) expect(match.path).toBe(c.path)
  if (c.line !== undefined) expect(match.line).toBe(c.line)
}

describe('bad-input corpus', () => {
  it('holds at least 60 cases across the four doors', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60)
    expect(new Set(cases.map((c) => c.door))).toEqual(new Set(['file', 'env', 'api', 'http']))
  })

  it.each(byDoor('file'))('file door: $file gives $code', async (c) => {
    const dir = await tempDir()
    const target = join(dir, `app${extname(c.file)}`)
    const good = extname(c.file) === '.json' ? '{"name":"svc"}' : 'name: svc\n'
    await writeFile(target, good)
    const { store, unchanged, stillWorks } = await storeWith(dir, [
      fileSource(target, { maxBytes: MAX_BYTES }),
    ])
    const bad = await bytesOf(c)
    await writeFile(target, bad)
    const result = await store.reload()
    expectOutcome(c, result)
    if (c.code === null) return
    if (c.line !== undefined) {
      const errors = 'errors' in result ? result.errors : []
      expect(errors.find((e) => e.code === c.code)?.source).toBe(target)
    }
    await unchanged()
    expect(await readFile(target)).toEqual(bad)
    await writeFile(target, good)
    expect((await store.reload()).status).toBe('unchanged')
    await stillWorks()
  })

  it.each(byDoor('env'))('env door: $file gives $code', async (c) => {
    const env: Record<string, string> = { APP_NAME: 'svc' }
    // Strict about unknown variables: the corpus is about what is refused (by default they are only warned about).
    const { store, unchanged, stillWorks } = await storeWith(await tempDir(), [
      envSource({ prefix: 'APP_', env, unknown: 'error' }),
    ])
    for (const line of (await bytesOf(c)).toString('utf8').split('\n').filter(Boolean)) {
      const eq = line.indexOf('=')
      env[line.slice(0, eq)] = line.slice(eq + 1)
    }
    expectOutcome(c, await store.reload())
    if (c.code === null) return
    await unchanged()
    for (const key of Object.keys(env)) delete env[key]
    env.APP_NAME = 'svc'
    expect((await store.reload()).status).toBe('unchanged')
    await stillWorks()
  })

  it.each(byDoor('api'))('API door: $file gives $code', async (c) => {
    const { store, unchanged, stillWorks } = await storeWith(await tempDir(), [])
    const input = JSON.parse((await bytesOf(c)).toString('utf8')) as {
      change?: object
      set?: string
      value?: unknown
      meta?: object
    }
    const result =
      input.set === undefined
        ? await store.update(input.change as never, input.meta)
        : await store.set(input.set as never, numberOf(input.value) as never, input.meta)
    expectOutcome(c, result)
    await unchanged()
    await stillWorks()
  })

  it.each(byDoor('http'))('HTTP door: $file answers $status $code', async (c) => {
    const { store, unchanged, stillWorks } = await storeWith(await tempDir(), [])
    const logger = memoryLogger()
    const app = createAdminApp(store, { tokens: TOKENS, bodyLimit: MAX_BYTES, metrics: false, logger })
    const text = (await bytesOf(c)).toString('utf8')
    const [head = '', body = ''] = splitOnce(text, '\n\n')
    const [requestLine = '', ...headerLines] = head.split('\n')
    const [method = 'GET', path = '/'] = requestLine.split(' ')
    const headers: Record<string, string> = { authorization: `Bearer ${ADMIN}` }
    for (const line of headerLines) {
      const [name = '', value = ''] = splitOnce(line, ': ')
      headers[name] = value
    }
    const res = await app.request(path, { method, headers, ...(body === '' ? {} : { body }) })
    expect(res.status).toBe(c.status)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    const problem = (await res.json()) as { code: string }
    expect(problem.code).toBe(c.code)
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([])
    await unchanged()
    await stillWorks()
  })
})

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator)
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + separator.length)]
}

/** JSON has no NaN or Infinity: the corpus spells them `"$NaN"` and `"$Infinity"`. */
function numberOf(value: unknown): unknown {
  if (value === '$NaN') return Number.NaN
  if (value === '$Infinity') return Number.POSITIVE_INFINITY
  return value
}
