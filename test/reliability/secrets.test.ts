import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createAdminApp } from '../../src/adapters/http/index.ts'
import { ConfigError, createConfigStore, REDACTED, restart, secret } from '../../src/index.ts'
import { envSource, fileSource } from '../../src/sources/index.ts'
import type { AdapterContext, AdapterHandle, ConfigIssue, ConfigStore, StoreEvent } from '../../src/types.ts'
import { memoryLogger, schema, type TestConfig } from '../adapters/http/fixture.ts'
import { useTempDirs } from '../support/temp-dir.ts'

// Responses, SSE and metrics of the admin API are searched in test/adapters/http/secrets.test.ts; roles and 401/403 for every
// route in test/adapters/http/auth.test.ts; the non-loopback bind in test/adapters/http/serve-admin.test.ts. This covers the rest: the
// store's own history, events, audit log, log lines and error messages, through every door.

const FILE_KEY = 'sk-from-file-8c1d2e3f'
const ENV_PASSWORD = 'pw-from-env-Kq93mm'
const API_KEY_NEW = 'sk-from-api-77aa66bb'
const VETO_PASSWORD = 'pw-veto-Zz0011yy'
const SECRETS = [FILE_KEY, ENV_PASSWORD, API_KEY_NEW, VETO_PASSWORD]

const tempDir = useTempDirs('hotconf-secrets-')
const open: ConfigStore<TestConfig>[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
})

describe('secrets outside the admin API', () => {
  it('never appear in history, events, diffs, exports, the audit log, log lines or error messages', async () => {
    const dir = await tempDir()
    const file = join(dir, 'app.yaml')
    const audit = join(dir, 'audit.jsonl')
    await writeFile(file, `name: svc\napiKey: ${FILE_KEY}\n`)
    const env: Record<string, string> = { APP_DB__PASSWORD: ENV_PASSWORD }
    const logger = memoryLogger()
    const store = await createConfigStore({
      schema,
      sources: [fileSource(file), envSource({ prefix: 'APP_', env })],
      overrides: { file: join(dir, 'overrides.json') },
      audit: { file: audit },
      participantTimeoutMs: 50,
      logger,
    })
    open.push(store)
    const events: StoreEvent[] = []
    store.events$.subscribe((e) => events.push(e))
    const changeSets: unknown[] = []
    store.changes$.subscribe((c) => changeSets.push(c))
    store.participate(
      (next) => {
        if (next.db.password === VETO_PASSWORD) throw new Error(`refused password ${next.db.password}`)
      },
      { paths: ['db'] },
    )
    const results: unknown[] = []
    const errors: string[] = []
    const record = async (outcome: Promise<unknown>) => {
      try {
        results.push(await outcome)
      } catch (error) {
        errors.push(String(error), JSON.stringify(error))
      }
    }

    await record(store.set('apiKey', API_KEY_NEW))
    await record(store.update({ apiKey: FILE_KEY, pool: { max: -1 } }))
    await record(store.set('db.password', VETO_PASSWORD))
    await record(store.validate({ apiKey: ENV_PASSWORD, pool: { min: 50, max: 1 } }))
    // A broken file whose bad line holds the secret: parsers like to quote the offending line.
    await writeFile(file, `name: svc\napiKey: ${FILE_KEY} ]\n  : [\n`)
    await record(store.reload())
    await writeFile(file, `name: svc\napiKey: [${FILE_KEY}]\n`)
    await record(store.reload())
    env.APP_DB__PASSWORD = `{"x": "${ENV_PASSWORD}"`
    env.APP_API_KEY = `${ENV_PASSWORD}`
    await record(store.reload())
    await record(store.rollback(1))
    const snapshot = await store.snapshot({ label: 'with secrets' })
    await record(store.rollback(snapshot.id))

    const shown = JSON.stringify([
      results,
      errors,
      events,
      changeSets,
      store.history(),
      store.events(),
      store.diff(1),
      store.export(),
      store.status(),
      store.explain('apiKey'),
      store.explain('db.password'),
      logger.lines,
    ])
    const auditLog = await readFile(audit, 'utf8')
    for (const secret of SECRETS) {
      expect(shown.includes(secret), `a result, event, history entry or log line shows ${secret}`).toBe(false)
      expect(auditLog.includes(secret), `the audit log shows ${secret}`).toBe(false)
    }
    expect(shown).toContain('[redacted]')
    // Every door answered with a value, and the failures really failed (the override shadows the file's apiKey).
    expect(errors).toEqual([])
    expect(results.map((r) => (r as { status?: string }).status ?? (r as { ok: boolean }).ok)).toEqual([
      ...['committed', 'rejected', 'rolledBack', false, 'rejected', 'unchanged', 'committed', 'committed'],
      'unchanged',
    ])
    // The store did work: commits happened and were audited, and the secrets are live where they belong.
    expect(store.history().length).toBeGreaterThan(0)
    expect(auditLog.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(5)
    expect(store.export({ includeSecrets: true }).config).toMatchObject({ apiKey: expect.any(String) })
  })
})

// Issue 15: secrets in every position a schema can put one, and in every message that leaves the store.

const positions = (() => {
  const tree: z.ZodType<unknown> = z.lazy(() =>
    z.object({ key: secret(z.string()).optional(), kids: z.array(tree).default([]) }),
  )
  return z.object({
    name: z.string().default('svc'),
    list: z.array(secret(z.string())).default([]),
    pair: z.tuple([z.string(), secret(z.string())]).optional(),
    either: z.union([z.string(), z.object({ token: secret(z.string()) })]).optional(),
    kind: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('pw'), password: secret(z.string()) }),
        z.object({ type: z.literal('none') }),
      ])
      .optional(),
    users: z.record(z.string(), z.object({ password: secret(z.string()) })).default({}),
    tree: tree.optional(),
    trimmed: secret(z.string())
      .transform((s) => s.trim())
      .optional(),
    piped: z
      .object({ inner: secret(z.string()) })
      .pipe(z.object({ inner: z.string() }))
      .optional(),
    outside: secret(z.string()).optional(),
    inside: secret(z.string().optional()),
    whole: secret(z.object({ user: z.string(), pass: z.string() })).optional(),
    both: z.intersection(z.object({ a: secret(z.string()) }), z.object({ b: z.string() })).optional(),
  })
})()

/** One distinct secret per position, each found nowhere else. */
const P = Object.fromEntries(
  [
    'list',
    'pair',
    'either',
    'kind',
    'users',
    'tree',
    'deep',
    'trimmed',
    'piped',
    'out',
    'in',
    'whole',
    'both',
  ].map((k) => [k, `Sx${k}-7Qm2Wv9pLc`]),
)

function everyPosition(): Record<string, unknown> {
  return {
    list: ['plain-looking', P.list],
    pair: ['label', P.pair],
    either: { token: P.either },
    kind: { type: 'pw', password: P.kind },
    users: { alice: { password: P.users } },
    tree: { key: P.tree, kids: [{ key: P.deep, kids: [] }] },
    trimmed: P.trimmed,
    piped: { inner: P.piped },
    outside: P.out,
    inside: P.in,
    whole: { user: 'admin', pass: P.whole },
    both: { a: P.both, b: 'public' },
  }
}

async function adminViews(store: ConfigStore<unknown>): Promise<string> {
  const token = 'admin-token-0123456789abcdef'
  const app = createAdminApp(store, { tokens: [{ name: 'ops', token, role: 'admin' }] })
  const paths = [
    '',
    '/values/list',
    '/values/tree',
    '/values/users.alice',
    '/history',
    '/events',
    '/export',
    '/status',
  ]
  const bodies = await Promise.all(
    paths.map(async (p) => {
      const res = await app.request(`/config${p}`, { headers: { authorization: `Bearer ${token}` } })
      return `${res.status} ${await res.text()}`
    }),
  )
  return bodies.join('\n')
}

function errorsOf(result: object | undefined): readonly ConfigIssue[] {
  return result && 'errors' in result ? (result.errors as readonly ConfigIssue[]) : []
}

function expectHidden(text: string, secrets: readonly string[], where: string) {
  for (const s of secrets) expect(text.includes(s), `${where} shows ${s}`).toBe(false)
}

describe('secrets in every schema position (#15)', () => {
  it('redacts secrets in arrays, tuples, unions, records, lazy, transforms and intersections when they change', async () => {
    const dir = await tempDir()
    const audit = join(dir, 'audit.jsonl')
    const logger = memoryLogger()
    // Typed loosely: the recursive `tree` has no static paths.
    const store = (await createConfigStore({
      schema: positions,
      audit: { file: audit },
      logger,
    })) as ConfigStore<any>
    open.push(store)
    const events: StoreEvent[] = []
    store.events$.subscribe((e) => events.push(e))
    const results = [await store.validate(everyPosition()), await store.update(everyPosition())]
    const first = store.revision
    await store.set('tree.kids', [{ key: `${P.deep}-2`, kids: [] }])
    await store.set('list.1', `${P.list}-2`)
    await store.rollback(first)

    const shown = JSON.stringify([
      results,
      events,
      store.history(),
      store.events(),
      store.diff(1),
      store.export(),
      store.status(),
      store.redact(store.current),
      ['list.1', 'tree.kids.0.key', 'users.alice.password', 'pair.1', 'whole.pass'].map((p) =>
        store.explain(p),
      ),
      logger.lines,
    ])
    const secrets = [...Object.values(P), `${P.deep}-2`, `${P.list}-2`]
    expectHidden(shown, secrets, 'the store')
    expectHidden(await readFile(audit, 'utf8'), secrets, 'the audit log')
    expectHidden(await adminViews(store as never), secrets, 'the admin API')
    // Redacted where the secret was, and nothing else: the public values stay readable.
    expect(store.export().config).toMatchObject({
      list: [REDACTED, REDACTED],
      pair: ['label', REDACTED],
      kind: { type: 'pw', password: REDACTED },
      users: { alice: { password: REDACTED } },
      tree: { key: REDACTED, kids: [{ key: REDACTED, kids: [] }] },
      both: { a: REDACTED, b: 'public' },
      whole: REDACTED,
      piped: REDACTED,
    })
    expect(store.current).toMatchObject({ list: ['plain-looking', P.list], trimmed: P.trimmed })
  })

  it('keeps the live secrets when an export without them is imported back', async () => {
    const store = await createConfigStore({
      schema: positions,
      initial: everyPosition(),
      logger: memoryLogger(),
    })
    open.push(store as never)
    const before = store.current
    const result = await store.import({ config: { ...(store.export().config as object), name: 'renamed' } })
    expect(result.status).toBe('committed')
    expect(store.current).toEqual({ ...before, name: 'renamed' })
  })

  it('refuses a schema with BAD_OPTIONS naming the path when a record key is secret', async () => {
    const schema = z.object({ vault: z.object({ tokens: z.record(secret(z.string()), z.number()) }) })
    const error = await createConfigStore({ schema }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect(error).toMatchObject({ code: 'BAD_OPTIONS', path: 'vault.tokens' })
  })
})

describe('secrets in messages (#15)', () => {
  const schema = z.object({
    name: z.string().default('svc'),
    db: z.object({
      host: z.string().default('localhost'),
      password: secret(z.string()).default('initial-pw-123'),
    }),
    tokens: z.array(secret(z.string())).default([]),
    blob: secret(z.string())
      .refine((s) => typeof JSON.parse(s) === 'object')
      .optional(),
    code: secret(
      z.string().refine((s) => s.startsWith('c-'), { error: (i) => `bad code ${String(i.input)}` }),
    ).optional(),
    pin: secret(z.string()).optional(),
  })

  async function fileStore(text: string, ext = 'yaml') {
    const dir = await tempDir()
    const file = join(dir, `app.${ext}`)
    const audit = join(dir, 'audit.jsonl')
    await writeFile(file, text)
    const logger = memoryLogger()
    const store = await createConfigStore({
      schema,
      sources: [fileSource(file)],
      audit: { file: audit },
      logger,
    })
    open.push(store as never)
    const events: StoreEvent[] = []
    store.events$.subscribe((e) => events.push(e))
    const seen = async () =>
      `${JSON.stringify([events, store.events(), store.status(), logger.lines])}\n${await adminViews(store as never)}\n${await readFile(audit, 'utf8').catch(() => '')}`
    return { store, file, seen }
  }

  it.each([
    ['a YAML tag', 'db:\n  password: !Rotated-Pa55word\n', 'Rotated-Pa55word'],
    ['a YAML alias', 'db:\n  password: *Rotated-Pa55word\n', 'Rotated-Pa55word'],
    ['a YAML verbatim tag in a list', 'tokens:\n  - !<Rotated-Pa55word> x\n', 'Rotated-Pa55word'],
    ['a YAML block scalar header', 'db:\n  password: |Rotated-Pa55word\n    x\n', 'Rotated-Pa55word'],
    ['a YAML escape', 'db:\n  password: "Rotated\\qPa55word"\n', '\\q'],
  ])('does not quote the file when %s on a secret key cannot be parsed', async (_, broken, secretText) => {
    const { store, file, seen } = await fileStore('name: svc\n')
    await writeFile(file, broken)
    const result = await store.reload()
    expect(result.status).toBe('rejected')
    const [error] = errorsOf(result)
    // Still says where and what: the line, and the secret's path.
    expect(error).toMatchObject({ code: 'PARSE_ERROR', line: expect.any(Number) })
    expect(error?.message).toMatch(/secret value at (db\.password|tokens\.0)/)
    expectHidden(`${JSON.stringify(result)}\n${await seen()}`, [secretText], 'a parse error')
  })

  it('does not quote the file when a store cannot start on a broken secret value', async () => {
    const dir = await tempDir()
    const file = join(dir, 'app.yaml')
    await writeFile(file, 'db:\n  password: !Startup-Pa55word\n')
    const error = await createConfigStore({
      schema,
      sources: [fileSource(file)],
      logger: memoryLogger(),
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).message).toContain('secret value at db.password')
    expectHidden(`${String(error)} ${JSON.stringify(error)}`, ['Startup-Pa55word'], 'a start-up error')
  })

  it('still quotes the parser when the broken value is not a secret', async () => {
    const { store, file } = await fileStore('name: svc\n')
    await writeFile(file, 'name: !Unknown-tag\n')
    const result = await store.reload()
    expect(JSON.stringify(result)).toContain('!Unknown-tag')
  })

  it('does not name the unexpected character of a JSON syntax error in a secret value', async () => {
    const { store, file, seen } = await fileStore('{"name": "svc"}', 'json')
    await writeFile(file, '{"db": {"password": Xylophone-secret}}')
    const result = await store.reload()
    expect(result.status).toBe('rejected')
    expect(JSON.stringify(result)).toContain('secret value at db.password')
    expectHidden(`${JSON.stringify(result)}\n${await seen()}`, ['"X"', 'Xylophone'], 'a JSON syntax error')
  })

  it('scrubs a secret quoted by a refinement, a custom zod message or a recipe that throws', async () => {
    const { store, seen } = await fileStore('name: svc\n')
    await store.set('db.password', 'Live-Password-42')
    const results = [
      await store.set('blob', 'Not-Json-Secret-1'),
      await store.set('code', 'Wrong-Code-Secret-2'),
      await store.update((d) => {
        d.pin = 'Recipe-Pin-Secret-3'
        throw new Error(`cannot use ${d.pin} with ${d.db.password}`)
      }),
      await store.update((d) => {
        JSON.parse(d.db.password)
      }),
      await store.validate({ code: 'Validate-Secret-4' }),
    ]
    expect(results.map((r) => ('status' in r ? r.status : r.ok))).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      false,
    ])
    const text = `${JSON.stringify(results)}\n${await seen()}`
    expectHidden(
      text,
      ['Not-Json-Secret-1', 'Wrong-Code-Secret-2', 'Recipe-Pin-Secret-3', 'Live-Password-42'],
      'a message',
    )
    expectHidden(text, ['Validate-Secret-4'], 'a message')
    // The zod original kept beside the issue is scrubbed too, not only the message.
    expect(JSON.stringify(errorsOf(results[1])[0]?.zod)).toContain(REDACTED)
  })

  it('scrubs a short secret only where it stands alone', async () => {
    const store = await createConfigStore({ schema, logger: memoryLogger() })
    open.push(store as never)
    await store.set('pin', '42')
    const result = await store.update(() => {
      throw new Error(`pin 42 refused at revision 142, pin="42"`)
    })
    expect(errorsOf(result)[0]?.message).toBe(
      `the update recipe threw: pin ${REDACTED} refused at revision 142, pin="${REDACTED}"`,
    )
  })

  it('scrubs warnings that quote a persisted secret the schema no longer accepts', async () => {
    const dir = await tempDir()
    const file = join(dir, 'overrides.json')
    await writeFile(file, JSON.stringify({ overrides: { code: 'Parked-Secret-5' }, revision: 3 }))
    const logger = memoryLogger()
    const store = await createConfigStore({ schema, overrides: { file }, logger })
    open.push(store as never)
    const warnings = store.status().warnings
    expect(warnings.map((w) => w.code)).toContain('INVALID')
    expectHidden(JSON.stringify([warnings, logger.lines]), ['Parked-Secret-5'], 'a warning')
  })
})

describe('secrets in adapter errors, env layers and pending restarts (#15)', () => {
  it('scrubs an adapter that fails or logs with a live secret when it starts', async () => {
    const logger = memoryLogger()
    const pwSchema = z.object({ pw: secret(z.string()).default('Adapter-Secret-77') })
    const leaky = {
      name: 'leaky',
      start(ctx: AdapterContext<z.output<typeof pwSchema>>): AdapterHandle {
        ctx.logger.warn(`connecting with ${ctx.store.current.pw}`)
        throw new Error(`refused password ${ctx.store.current.pw}`)
      },
    }
    // An adapter that must start fails the store: the error that says so is scrubbed too (#16).
    const failed = await createConfigStore({ schema: pwSchema, logger, adapters: [leaky] }).catch(
      (e: unknown) => e,
    )
    expect(failed).toMatchObject({ code: 'ADAPTER_FAILED' })
    expectHidden((failed as Error).message, ['Adapter-Secret-77'], 'an adapter start error')
    const store = await createConfigStore({
      schema: pwSchema,
      logger,
      adapters: [{ ...leaky, optional: true }],
    })
    open.push(store as never)
    const status = store.status()
    expect(status.adapters[0]).toMatchObject({ state: 'failed', lastError: `refused password ${REDACTED}` })
    expectHidden(JSON.stringify([status, logger.lines]), ['Adapter-Secret-77'], 'an adapter message')
  })

  it('redacts env-set secrets inside lists and records in explain, history and exports', async () => {
    const env = {
      APP_TOKENS: '["Env-Token-One1", "Env-Token-Two2"]',
      APP_USERS__ALICE__PASSWORD: 'Env-Alice-Pass3',
    }
    const schema = z.object({
      tokens: z.array(secret(z.string())).default([]),
      users: z.record(z.string(), z.object({ password: secret(z.string()) })).default({}),
    })
    // Typed loosely: array items have no static paths.
    const store = (await createConfigStore({
      schema,
      sources: [envSource({ prefix: 'APP_', env })],
      logger: memoryLogger(),
    })) as ConfigStore<any>
    open.push(store)
    const explained = [
      store.explain('tokens'),
      store.explain('tokens.1'),
      store.explain('users.alice.password'),
    ]
    expect(explained.map((e) => [e.layer, e.value])).toEqual([
      ['env:APP_TOKENS', [REDACTED, REDACTED]],
      ['env:APP_TOKENS', REDACTED],
      ['env:APP_USERS__ALICE__PASSWORD', REDACTED],
    ])
    env.APP_TOKENS = '["Env-Token-Three4"]'
    await store.reload()
    expectHidden(
      JSON.stringify([explained, store.history(), store.events(), store.export(), store.diff(1)]),
      ['Env-Token-One1', 'Env-Token-Two2', 'Env-Alice-Pass3', 'Env-Token-Three4'],
      'an env layer',
    )
  })

  it('redacts a secret below a restart key that waits for a restart', async () => {
    const dir = await tempDir()
    const file = join(dir, 'app.yaml')
    await writeFile(file, 'db:\n  url: pg://a\n  password: Restart-Old-Pw5\n')
    const schema = z.object({ db: restart(z.object({ url: z.string(), password: secret(z.string()) })) })
    const store = await createConfigStore({ schema, sources: [fileSource(file)], logger: memoryLogger() })
    open.push(store as never)
    await writeFile(file, 'db:\n  url: pg://b\n  password: Restart-New-Pw6\n')
    const result = await store.reload()
    expect(
      store
        .status()
        .pendingRestart.map((p) => p.path)
        .sort(),
    ).toEqual(['db.password', 'db.url'])
    expect(store.status().pendingRestart.find((p) => p.path === 'db.password')).toMatchObject({
      live: REDACTED,
      next: REDACTED,
    })
    expectHidden(
      JSON.stringify([result, store.status(), store.events()]),
      ['Restart-Old-Pw5', 'Restart-New-Pw6'],
      'a pending restart',
    )
  })
})

describe('secrets in compensation warnings (#15)', () => {
  it('scrubs the refused candidate a failing compensation quotes when another participant vetoes', async () => {
    const logger = memoryLogger()
    const store = await createConfigStore({
      schema: z.object({ pw: secret(z.string()).default('Old-Pw-000') }),
      logger,
    })
    open.push(store as never)
    store.participate((next, prev, { compensating }) => {
      if (compensating) throw new Error(`cannot leave ${prev.pw} for ${next.pw}`)
    })
    store.participate(() => {
      throw new Error('veto')
    })
    const result = await store.set('pw', 'Refused-New-Pw-111')
    expect(result.status).toBe('rolledBack')
    const warnings = store.status().warnings
    expect(warnings.map((w) => w.code)).toContain('COMPENSATION_FAILED')
    expectHidden(
      JSON.stringify([warnings, logger.lines, result]),
      ['Refused-New-Pw-111', 'Old-Pw-000'],
      'a warning',
    )
  })
})
