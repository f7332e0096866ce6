import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createConfigStore, type StoreEvent } from '../../src/index.ts'
import { appSchema } from '../fixtures/schemas.ts'
import { useTempDirs } from '../support/temp-dir.ts'

const tempDir = useTempDirs()
const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const open = (file: string, extra: object = {}) =>
  createConfigStore({ schema: appSchema, environment: 'test', overrides: { file }, logger: quiet, ...extra })

describe('persisted overrides', () => {
  it('survive a new store on the same file, holding only the overridden paths and metadata', async () => {
    const file = join(await tempDir(), 'state', 'overrides.json')
    const first = await open(file)
    await first.set('pool.max', 30)
    await first.update({ features: { newUi: true } })
    await first.close()
    const doc = JSON.parse(await readFile(file, 'utf8'))
    expect(doc).toMatchObject({
      revision: 3,
      environment: 'test',
      overrides: { pool: { max: 30 }, features: { newUi: true } },
    })
    expect(Object.keys(doc.overrides).sort()).toEqual(['features', 'pool'])
    expect(typeof doc.updatedAt).toBe('string')

    const second = await open(file)
    expect(second.current.pool.max).toBe(30)
    expect(second.current.features.newUi).toBe(true)
    expect(second.explain('pool.max')).toEqual({
      path: 'pool.max',
      value: 30,
      layer: 'override',
      shadowed: [{ layer: 'default', value: 10 }],
    })
    await second.close()
  })

  it('start without overrides when the file is missing, and write none until something changes', async () => {
    const dir = await tempDir()
    const store = await open(join(dir, 'overrides.json'))
    expect(store.current.pool.max).toBe(10)
    expect(await readdir(dir)).toEqual([])
    await store.close()
  })

  it.each([
    ['garbage', 'not json at all {'],
    ['half-written', '{"hotconf":1,"revision":3,"overrides":{"pool":{"max":'],
    ['empty', ''],
    ['wrong shape', '{"revision":"x","overrides":[]}'],
    ['prototype key', '{"revision":2,"overrides":{"__proto__":{"polluted":1}}}'],
  ])('move a %s file aside, report it, and start from the other layers', async (_kind, content) => {
    const dir = await tempDir()
    const file = join(dir, 'overrides.json')
    await writeFile(file, content)
    const store = await open(file)
    expect(store.current.pool.max).toBe(10)
    const names = await readdir(dir)
    expect(names).toHaveLength(1)
    expect(names[0]).toMatch(/^overrides\.json\.corrupt-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d/)
    expect(store.status().warnings).toEqual([
      expect.objectContaining({ code: 'CORRUPT_FILE', message: expect.stringContaining(names[0]!) }),
    ])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect((await store.set('pool.max', 12)).status).toBe('committed')
    expect(JSON.parse(await readFile(file, 'utf8')).overrides).toEqual({ pool: { max: 12 } })
    await store.close()
  })

  it('set aside overrides that no longer validate one by one, applying the rest', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const overrides = { pool: { max: 40 }, features: { newUi: 'yes' }, gone: { key: 1 } }
    await writeFile(
      file,
      JSON.stringify({ hotconf: 1, revision: 7, updatedAt: '', environment: 'test', overrides }),
    )
    const store = await open(file)
    expect(store.current.pool.max).toBe(40)
    expect(store.current.features.newUi).toBe(false)
    const messages = store.status().warnings.map((w) => w.message)
    expect(messages.some((m) => m.includes('features.newUi'))).toBe(true)
    expect(messages.some((m) => m.includes('gone'))).toBe(true)
    await store.close()
  })

  it('roll back with PERSIST_FAILED when the file cannot be written, so disk and memory agree', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'not-a-dir'), 'x')
    const store = await open(join(dir, 'not-a-dir', 'overrides.json'))
    const events: StoreEvent[] = []
    store.events$.subscribe((e) => events.push(e))
    const result = await store.set('pool.max', 33)
    expect(result).toMatchObject({ status: 'rolledBack', revision: 1, errors: [{ code: 'PERSIST_FAILED' }] })
    expect(store.current.pool.max).toBe(10)
    expect(store.history()).toHaveLength(0)
    expect(events.some((e) => e.type === 'transaction' && e.phase === 'rolledBack')).toBe(true)
    await store.close()
  })

  it('reset drops overrides under a path, or all, as a transaction that is persisted', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const store = await open(file, { initial: { pool: { max: 15 } } })
    await store.update({ pool: { max: 30 }, features: { newUi: true } })
    const one = await store.reset('pool')
    expect(one).toMatchObject({ status: 'committed', changes: [{ path: 'pool.max', from: 30, to: 15 }] })
    expect(store.explain('pool.max').layer).toBe('initial')
    expect(JSON.parse(await readFile(file, 'utf8')).overrides).toEqual({ features: { newUi: true } })
    await store.reset()
    expect(store.current.features.newUi).toBe(false)
    expect(JSON.parse(await readFile(file, 'utf8')).overrides).toEqual({})
    expect(await store.reset()).toMatchObject({ status: 'unchanged' })
    await store.close()
  })
})

describe('audit log', () => {
  it('appends one JSON line per outcome with actor, reason and redacted changes', async () => {
    const auditFile = join(await tempDir(), 'logs', 'audit.jsonl')
    const store = await createConfigStore({
      schema: appSchema,
      audit: { file: auditFile },
      initial: { apiKey: 'audit-secret-1' },
    })
    await store.set('pool.max', 20, { actor: 'alice', reason: 'load' })
    await store.set('pool.max', 'x' as never, { actor: 'bob' })
    await store.set('apiKey', 'audit-secret-2')
    await store.close()
    const text = await readFile(auditFile, 'utf8')
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => l.status)).toEqual(['committed', 'rejected', 'committed'])
    expect(lines[0]).toMatchObject({
      revision: 2,
      actor: 'alice',
      reason: 'load',
      source: 'api',
      changes: [{ path: 'pool.max', from: 10, to: 20 }],
    })
    expect(lines[1].errors[0]).toMatchObject({ code: 'INVALID', path: 'pool.max' })
    expect(text).not.toContain('audit-secret')
  })
})

describe('persisted snapshots', () => {
  it('are back after a restart and can be rolled back to', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const first = await open(file)
    await first.set('pool.max', 44)
    const snap = await first.snapshot({ label: 'good', tags: ['release'] })
    await first.set('pool.max', 55)
    await first.close()
    const second = await open(file)
    expect(second.snapshots()).toEqual([snap])
    expect(await second.rollback(snap.id)).toMatchObject({ status: 'committed' })
    expect(second.current.pool.max).toBe(44)
    expect(await second.deleteSnapshot(snap.id)).toBe(true)
    await second.close()
    const third = await open(file)
    expect(third.snapshots()).toEqual([])
    await third.close()
  })

  it('refuse a rollback to a snapshot whose restart keys differ from the live ones', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const first = await open(file, { initial: { server: { port: 7000 } } })
    const snap = await first.snapshot()
    await first.close()
    const second = await open(file, { initial: { server: { port: 7001 } } })
    expect(await second.rollback(snap.id)).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'RESTART_REQUIRED', path: 'server.port' }],
    })
    await second.close()
  })
})

describe('lastKnownGood', () => {
  it('starts on the last committed config, loudly, when a source is broken at start', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const good = await open(file, { lastKnownGood: true, initial: { limits: { rps: 9 } } })
    await good.set('pool.max', 21)
    await good.close()
    const broken = { name: 'file:broken.yaml', load: async () => Promise.reject(new Error('disk gone')) }
    await expect(open(file, { sources: [broken] })).rejects.toThrow(/disk gone/)
    const revived = await open(file, { lastKnownGood: true, sources: [broken] })
    expect(revived.current.pool.max).toBe(21)
    expect(revived.current.limits).toEqual({ rps: 9 })
    expect(revived.status().warnings.map((w) => w.code)).toContain('LAST_KNOWN_GOOD')
    await revived.close()
  })

  it('needs an overrides file', async () => {
    await mkdir(await tempDir(), { recursive: true })
    await expect(createConfigStore({ schema: appSchema, lastKnownGood: true })).rejects.toMatchObject({
      code: 'BAD_OPTIONS',
    })
  })
})
