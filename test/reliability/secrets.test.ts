import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createConfigStore } from '../../src/index.ts'
import { envSource, fileSource } from '../../src/sources/index.ts'
import type { ConfigStore, StoreEvent } from '../../src/types.ts'
import { memoryLogger, schema, type TestConfig } from '../http/fixture.ts'
import { useTempDirs } from '../support/temp-dir.ts'

// Responses, SSE and metrics of the admin API are searched in test/http/secrets.test.ts; roles and 401/403 for every
// route in test/http/auth.test.ts; the non-loopback bind in test/http/serve-admin.test.ts. This covers the rest: the
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
