import { describe, expect, it } from 'vitest'
import { createConfigStore } from '../src/index.ts'
import { appSchema } from './fixtures/schemas.ts'

const make = (options: { historyLimit?: number } = {}) =>
  createConfigStore({ schema: appSchema, initial: { apiKey: 'top-secret-key' }, ...options })

describe('store.snapshot', () => {
  it('pins a revision beyond the history limit, so rollback can still reach it', async () => {
    const store = await make({ historyLimit: 2 })
    await store.set('pool.max', 20)
    const snap = await store.snapshot({ label: 'before sale', tags: ['sale'] })
    expect(snap).toMatchObject({ revision: 2, label: 'before sale', tags: ['sale'] })
    for (let i = 30; i < 35; i++) await store.set('pool.max', i)
    expect(await store.rollback(2)).toMatchObject({ status: 'committed' })
    expect(store.current.pool.max).toBe(20)
    await store.set('pool.max', 40)
    const back = await store.rollback(snap.id, { reason: 'restore sale config' })
    expect(back.status).toBe('committed')
    expect(store.current.pool.max).toBe(20)
    expect(store.history()[0]).toMatchObject({
      source: 'rollback',
      reason: 'restore sale config',
      rollbackOf: 2,
    })
    expect(store.snapshots({ tag: 'sale' }).map((s) => s.id)).toEqual([snap.id])
    expect(store.snapshots({ tag: 'other' })).toEqual([])
    expect(await store.deleteSnapshot(snap.id)).toBe(true)
    expect(await store.deleteSnapshot(snap.id)).toBe(false)
    expect(await store.rollback(snap.id)).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'NOT_FOUND' }],
    })
  })

  it('keeps the revision before every commit reachable for a one-step rollback, even with historyLimit 1', async () => {
    const store = await make({ historyLimit: 1 })
    await store.set('pool.max', 20)
    await store.set('pool.max', 30)
    expect(await store.rollback(2)).toMatchObject({ status: 'committed' })
    expect(store.current.pool.max).toBe(20)
    expect(await store.rollback(1)).toMatchObject({ status: 'rejected', errors: [{ code: 'NOT_FOUND' }] })
  })
})

describe('store.rollback', () => {
  it('restores the exact config of the target revision and shares its structure', async () => {
    const store = await make()
    const first = store.current
    await store.update({ pool: { max: 20 }, features: { newUi: true } })
    await store.update({ limits: { rps: 5 } })
    await store.rollback(1)
    expect(store.current).toEqual(first)
    expect(store.current.pool).toBe(first.pool)
    expect(store.revision).toBe(4)
  })

  it('rejects an unknown revision with NOT_FOUND', async () => {
    const store = await make()
    expect(await store.rollback(99)).toMatchObject({ status: 'rejected', errors: [{ code: 'NOT_FOUND' }] })
  })
})

describe('store.diff', () => {
  it('lists changes between two retained revisions with secrets redacted', async () => {
    const store = await make()
    await store.set('pool.max', 20)
    await store.set('apiKey', 'rotated-secret-value')
    expect(store.diff(1, 3)).toEqual([
      { path: 'pool.max', from: 10, to: 20 },
      { path: 'apiKey', from: '[redacted]', to: '[redacted]' },
    ])
    expect(store.diff(3)).toEqual([])
    expect(() => store.diff(77)).toThrow(/revision 77 is not retained/)
  })
})

describe('store.export and store.import', () => {
  it('exports JSON-safe with secrets redacted unless asked, and imports as one transaction', async () => {
    const store = await make()
    await store.set('pool.max', 20)
    const doc = store.export()
    expect(doc).toMatchObject({
      revision: 2,
      environment: expect.any(String),
      config: { apiKey: '[redacted]' },
    })
    expect(store.export({ includeSecrets: true }).config).toMatchObject({ apiKey: 'top-secret-key' })
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc)

    await store.set('pool.max', 50)
    const result = await store.import(doc, { actor: 'ops' })
    expect(result).toMatchObject({ status: 'committed', changes: [{ path: 'pool.max', from: 50, to: 20 }] })
    expect(store.current.apiKey).toBe('top-secret-key')
  })

  it('rejects an import that does not validate, with every issue', async () => {
    const store = await make()
    const doc = store.export({ includeSecrets: true }) as { config: Record<string, unknown> }
    const bad = { config: { ...doc.config, pool: { min: 'a', max: -1 }, extra: true } }
    const result = await store.import(bad)
    expect(result.status).toBe('rejected')
    if (result.status === 'rejected') {
      expect(result.errors.map((e) => `${e.code}:${e.path}`).sort()).toEqual([
        'INVALID:pool.min',
        'UNKNOWN_KEY:extra',
      ])
    }
  })
})

describe('store.events, status and stats', () => {
  it('keep every outcome with errors and duration, and count them', async () => {
    const store = await make()
    await store.set('pool.max', 20)
    await store.set('pool.max', 'x' as never)
    await store.set('pool.max', 20)
    store.participate(() => {
      throw new Error('no')
    })
    await store.set('pool.max', 21)
    const events = store.events()
    expect(events.map((e) => e.status)).toEqual(['rolledBack', 'unchanged', 'rejected', 'committed'])
    expect(events[2]?.errors[0]).toMatchObject({ code: 'INVALID', path: 'pool.max' })
    expect(events.every((e) => e.durationMs >= 0)).toBe(true)
    expect(store.events({ limit: 2 })).toHaveLength(2)
    const stats = store.stats()
    expect(stats).toMatchObject({ commits: 1, rejected: 1, unchanged: 1, rolledBack: 1, reloads: 0 })
    expect(stats.latency.count).toBe(4)
    expect(stats.latency.p50).toBeGreaterThan(0)
    expect(stats.latency.max).toBeGreaterThanOrEqual(stats.latency.p99)
    const status = store.status()
    expect(status).toMatchObject({
      revision: 2,
      historySize: 1,
      snapshots: 0,
      participants: 1,
      pendingRestart: [],
    })
  })
})
