import { Observable } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConfigError, createConfigStore, type StoreEvent } from '../src/index.ts'
import { appSchema } from './fixtures/schemas.ts'

const make = (initial: object = {}) => createConfigStore({ schema: appSchema, initial: initial as never })

function isDeepFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen)
}

describe('createConfigStore', () => {
  it('fills schema defaults into nested objects that have no default of their own', async () => {
    const store = await make()
    expect(store.current).toEqual({
      server: { port: 8080, host: '127.0.0.1' },
      pool: { min: 2, max: 10 },
      features: { newUi: false, tags: [] },
      limits: {},
    })
    expect(store.revision).toBe(1)
  })

  it('rejects creation with every issue when the initial config is invalid', async () => {
    const error = await make({ pool: { min: -1, max: 'x' }, nope: 1 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    const paths = (error as ConfigError).issues.map((i) => `${i.code}:${i.path}`).sort()
    expect(paths).toEqual(['INVALID:pool.max', 'INVALID:pool.min', 'UNKNOWN_KEY:nope'])
  })

  it('throws BAD_OPTIONS when the schema is not a zod object', async () => {
    const error = await createConfigStore({ schema: z.string() as never }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BAD_OPTIONS', path: 'schema' })
  })

  it('passes inspect through to xstate, so the inspector sees the machine and its events', async () => {
    const seen: { type: string; event?: { type?: string } }[] = []
    const store = await createConfigStore({ schema: appSchema, inspect: (e) => void seen.push(e as never) })
    await store.set('pool.max', 11)
    expect(seen.some((e) => e.type === '@xstate.actor')).toBe(true)
    expect(seen.some((e) => e.type === '@xstate.event' && e.event?.type === 'config.set')).toBe(true)
    await store.close()
  })

  it('keeps current frozen at every depth', async () => {
    const store = await make({ limits: { a: 1 } })
    expect(isDeepFrozen(store.current)).toBe(true)
    await store.update({ features: { tags: ['x'] } })
    expect(isDeepFrozen(store.current)).toBe(true)
  })
})

describe('store.update', () => {
  it('commits a patch, merging objects and replacing arrays', async () => {
    const store = await make({ features: { tags: ['a', 'b'] } })
    const result = await store.update(
      { pool: { max: 20 }, features: { tags: ['c'] } },
      { actor: 'ops', reason: 'spike' },
    )
    expect(result).toEqual({
      status: 'committed',
      revision: 2,
      changes: [
        { path: 'pool.max', from: 10, to: 20 },
        { path: 'features.tags', from: ['a', 'b'], to: ['c'] },
      ],
    })
    expect(store.current.pool).toEqual({ min: 2, max: 20 })
    expect(store.get('features.tags')).toEqual(['c'])
  })

  it('commits an immer recipe', async () => {
    const store = await make()
    const result = await store.update((draft) => {
      draft.limits.rps = 100
      draft.features.tags.push('beta')
    })
    expect(result.status).toBe('committed')
    expect(store.current.limits).toEqual({ rps: 100 })
    expect(store.current.features.tags).toEqual(['beta'])
  })

  it('returns unchanged, without a revision or an event, when nothing differs', async () => {
    const store = await make()
    const seen: unknown[] = []
    store.changes$.subscribe((c) => seen.push(c))
    expect(await store.update({ pool: { max: 10 } })).toEqual({ status: 'unchanged', revision: 1 })
    expect(await store.set('features.tags', [])).toEqual({ status: 'unchanged', revision: 1 })
    expect(seen).toHaveLength(0)
    expect(store.history()).toHaveLength(0)
  })

  it('reports every schema issue with its dotted path and keeps the live config', async () => {
    const store = await make()
    const before = store.current
    const result = await store.update({ pool: { min: -5 }, server: { host: 7 }, limits: { x: 0 } } as never)
    expect(result.status).toBe('rejected')
    if (result.status !== 'rejected') return
    expect(result.errors.map((e) => e.path).sort()).toEqual(['limits.x', 'pool.min', 'server.host'])
    expect(result.errors.every((e) => e.code === 'INVALID' && e.message.length > 0)).toBe(true)
    expect(store.current).toBe(before)
  })

  it('rejects unknown keys instead of stripping them', async () => {
    const store = await make()
    const result = await store.update({ pool: { maxx: 3 } } as never)
    expect(result).toMatchObject({ status: 'rejected', errors: [{ code: 'UNKNOWN_KEY', path: 'pool.maxx' }] })
  })

  it('rejects prototype keys in a patch and never pollutes Object.prototype', async () => {
    const store = await make()
    const patch = JSON.parse('{"pool": {"__proto__": {"polluted": true}}}')
    const result = await store.update(patch)
    expect(result).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'FORBIDDEN_KEY', path: 'pool.__proto__' }],
    })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(await store.set('__proto__.x' as never, 1 as never)).toMatchObject({ status: 'rejected' })
  })

  it('applies a cross-field rule: one side alone is rejected, both sides at once commit', async () => {
    const store = await make()
    const alone = await store.update({ pool: { min: 50 } })
    expect(alone).toMatchObject({
      status: 'rejected',
      errors: [{ path: 'pool', message: 'pool.min must be <= pool.max' }],
    })
    const both = await store.update({ pool: { min: 50, max: 60 } })
    expect(both.status).toBe('committed')
  })

  it('refuses a runtime change of a restart key with RESTART_REQUIRED', async () => {
    const store = await make()
    const result = await store.set('server.port', 9090)
    expect(result).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'RESTART_REQUIRED', path: 'server.port' }],
    })
    expect(store.current.server.port).toBe(8080)
  })

  it('rejects a stale expectedRevision with STALE_REVISION', async () => {
    const store = await make()
    await store.set('pool.max', 11)
    const result = await store.set('pool.max', 12, { expectedRevision: 1 })
    expect(result).toMatchObject({ status: 'rejected', errors: [{ code: 'STALE_REVISION' }], revision: 2 })
    expect((await store.set('pool.max', 12, { expectedRevision: 2 })).status).toBe('committed')
  })

  it('turns a throwing recipe into a rejected result', async () => {
    const store = await make()
    const result = await store.update(() => {
      throw new Error('boom')
    })
    expect(result).toMatchObject({ status: 'rejected', errors: [{ code: 'INVALID' }] })
    expect((await store.set('pool.max', 3)).status).toBe('committed')
  })

  it('serializes concurrent callers FIFO, each with its own result', async () => {
    const store = await make()
    const results = await Promise.all([
      store.set('pool.max', 20),
      store.set('pool.min', 30),
      store.update({ pool: { min: 15 } }),
      store.set('pool.max', 25),
    ])
    expect(results.map((r) => r.status)).toEqual(['committed', 'rejected', 'committed', 'committed'])
    expect(results.map((r) => r.revision)).toEqual([2, 2, 3, 4])
    expect(store.current.pool).toEqual({ min: 15, max: 25 })
  })
})

describe('group commit', () => {
  it('gives each queued update of a shared pass its own revision, change set, history entry and config$ value', async () => {
    const store = await make()
    const seen: number[] = []
    const sets: number[] = []
    store.config$.subscribe((c) => seen.push(c.pool.max))
    store.changes$.subscribe((c) => sets.push(c.revision))
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.set('pool.max', 20 + i)))
    expect(results.map((r) => (r.status === 'committed' ? r.revision : 0))).toEqual([
      2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
    ])
    expect(results[3]).toMatchObject({ changes: [{ path: 'pool.max', from: 22, to: 23 }] })
    expect(seen).toEqual([10, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])
    expect(sets).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    expect(store.history().map((h) => h.revision)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2])
  })

  it('leaves a transaction that needs participants to a pass of its own', async () => {
    const store = await make()
    const calls: number[] = []
    store.participate((next) => void calls.push(next.pool.max), { paths: ['pool'] })
    const results = await Promise.all([
      store.set('features.newUi', true),
      store.set('pool.max', 30),
      store.set('limits.a', 1),
    ])
    expect(results.map((r) => r.revision)).toEqual([2, 3, 4])
    expect(calls).toEqual([30])
  })
})

describe('store.validate', () => {
  it('answers a dry run without changing or emitting anything', async () => {
    const store = await make()
    const events: StoreEvent[] = []
    store.events$.subscribe((e) => events.push(e))
    expect(await store.validate({ pool: { max: 40 } })).toEqual({
      ok: true,
      changes: [{ path: 'pool.max', from: 10, to: 40 }],
    })
    expect(await store.validate({ pool: { max: 'x' } } as never)).toMatchObject({
      ok: false,
      errors: [{ path: 'pool.max' }],
    })
    expect(store.revision).toBe(1)
    expect(events).toHaveLength(0)
  })
})

describe('secrets', () => {
  it('never shows a secret value in changes, history, events or errors, but current has it', async () => {
    const store = await make({ apiKey: 'hunter2-secret' })
    const events: StoreEvent[] = []
    store.events$.subscribe((e) => events.push(e))
    const changes: unknown[] = []
    store.changes$.subscribe((c) => changes.push(c))
    const result = await store.update({ apiKey: 'n3w-s3cret-value' })
    store.participate(
      (next) => {
        throw new Error(`cannot use ${next.apiKey}`)
      },
      { paths: ['apiKey'] },
    )
    const vetoed = await store.update({ apiKey: 'third-s3cret' })
    expect(vetoed.status).toBe('rolledBack')
    expect(store.current.apiKey).toBe('n3w-s3cret-value')
    expect(store.get('apiKey')).toBe('n3w-s3cret-value')
    const shown = JSON.stringify([
      result,
      vetoed,
      changes,
      events,
      store.history(),
      store.events(),
      store.export(),
    ])
    for (const s of ['hunter2-secret', 'n3w-s3cret-value', 'third-s3cret']) expect(shown).not.toContain(s)
    expect(shown).toContain('[redacted]')
  })
})

describe('participants', () => {
  it('run only when a watched path changed, and see next and prev', async () => {
    const store = await make()
    const calls: [number, number][] = []
    store.participate((next, prev) => void calls.push([next.pool.max, prev.pool.max]), { paths: ['pool'] })
    await store.update({ features: { newUi: true } })
    await store.set('pool.max', 30)
    expect(calls).toEqual([[30, 10]])
  })

  it('roll back on a veto and compensate those that accepted, newest first', async () => {
    const store = await make()
    const log: string[] = []
    store.participate((next, _prev, txn) => void log.push(`a:${next.pool.max}:${txn.compensating}`), {
      name: 'a',
    })
    store.participate((next, _prev, txn) => void log.push(`b:${next.pool.max}:${txn.compensating}`), {
      name: 'b',
    })
    store.participate(
      async (next) => {
        if (next.pool.max > 50) throw new Error('pool cannot grow that large')
      },
      { name: 'veto' },
    )
    const result = await store.set('pool.max', 99)
    expect(result).toMatchObject({
      status: 'rolledBack',
      revision: 1,
      errors: [
        { code: 'PARTICIPANT_FAILED', message: expect.stringContaining('pool cannot grow that large') },
      ],
    })
    expect(log).toEqual(['a:99:false', 'b:99:false', 'b:10:true', 'a:10:true'])
    expect(store.current.pool.max).toBe(10)
    expect(store.history()).toHaveLength(0)
  })

  it('time out with PARTICIPANT_TIMEOUT and abort their signal', async () => {
    const store = await createConfigStore({ schema: appSchema, participantTimeoutMs: 30 })
    let aborted = false
    store.participate(
      (_n, _p, txn) =>
        new Promise<void>((resolve) => {
          txn.signal.addEventListener('abort', () => {
            aborted = true
            resolve()
          })
        }),
    )
    const result = await store.set('pool.max', 12)
    expect(result).toMatchObject({ status: 'rolledBack', errors: [{ code: 'PARTICIPANT_TIMEOUT' }] })
    expect(aborted).toBe(true)
    expect(store.revision).toBe(1)
  })

  it('stop being called once unsubscribed', async () => {
    const store = await make()
    let calls = 0
    const off = store.participate(() => void calls++)
    await store.set('pool.max', 11)
    off()
    await store.set('pool.max', 12)
    expect(calls).toBe(1)
    expect(store.status().participants).toBe(0)
  })
})

describe('streams', () => {
  it('config$ replays the current config, then one value per commit', async () => {
    const store = await make()
    const seen: number[] = []
    store.config$.subscribe((c) => seen.push(c.pool.max))
    await store.set('pool.max', 11)
    await store.set('pool.max', 'x' as never)
    await store.set('pool.max', 12)
    expect(seen).toEqual([10, 11, 12])
  })

  it('select emits only when the selected subtree identity changed', async () => {
    const store = await make()
    const pools: unknown[] = []
    const hosts: string[] = []
    store.select((c) => c.pool).subscribe((p) => pools.push(p))
    store.select('server.host').subscribe((h) => hosts.push(h))
    await store.update({ features: { newUi: true } })
    await store.set('pool.max', 11)
    expect(pools).toHaveLength(2)
    expect(hosts).toEqual(['127.0.0.1'])
  })

  it('events$ carries every lifecycle step in order', async () => {
    const store = await make()
    const phases: string[] = []
    store.events$.subscribe((e) => e.type === 'transaction' && phases.push(e.phase))
    await store.set('pool.max', 11)
    await store.set('pool.max', -1 as never)
    await store.set('pool.max', 11)
    expect(phases).toEqual([
      ...['started', 'validating', 'applying', 'notifying', 'committed'],
      ...['started', 'validating', 'rejected'],
      ...['started', 'validating', 'unchanged'],
    ])
  })

  it('made on first use: a stream first asked for after commits replays the latest config, and is an rxjs Observable', async () => {
    const store = await make()
    await store.set('pool.max', 11)
    await store.set('pool.max', 12)
    const seen: number[] = []
    const changes: number[] = []
    store.changes$.subscribe((c) => changes.push(c.revision))
    store.select('pool.max').subscribe((m) => seen.push(m))
    await store.set('pool.max', 13)
    expect(seen).toEqual([12, 13])
    expect(changes).toEqual([4])
    expect(store.config$).toBeInstanceOf(Observable)
    expect(store.config$).toBe(store.config$)
    await store.close()
  })

  it('a stream first asked for after close completes at once, without a value', async () => {
    const store = await make()
    await store.close()
    for (const stream of [store.config$, store.changes$, store.events$] as Observable<unknown>[]) {
      const seen: string[] = []
      stream.subscribe({ next: () => seen.push('next'), complete: () => seen.push('complete') })
      expect(seen).toEqual(['complete'])
    }
  })

  it('isolates an observer that throws: the store and other observers go on, the error is counted', async () => {
    const store = await make()
    const seen: number[] = []
    store.changes$.subscribe(() => {
      throw new Error('observer bug')
    })
    store
      .select((c) => c.pool.max)
      .subscribe((m) => {
        if (m === 11) throw new Error('selector observer bug')
      })
    store.changes$.subscribe((c) => seen.push(c.revision))
    await store.set('pool.max', 11)
    await store.set('pool.max', 12)
    expect(seen).toEqual([2, 3])
    expect(store.stats().observerErrors).toBe(3)
    expect(store.status().warnings.some((w) => w.code === 'OBSERVER_FAILED')).toBe(true)
  })
})

describe('observer isolation', () => {
  it('survives an events$ observer that throws on every event, its own warnings included', async () => {
    const store = await createConfigStore({
      schema: appSchema,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    })
    store.events$.subscribe(() => {
      throw new Error('always')
    })
    expect((await store.set('pool.max', 11)).status).toBe('committed')
    expect((await store.set('pool.max', 12)).status).toBe('committed')
    expect(store.stats().observerErrors).toBeGreaterThan(0)
    await store.close()
  })
})

describe('history', () => {
  it('lists commits newest first, bounded by historyLimit', async () => {
    const store = await createConfigStore({ schema: appSchema, historyLimit: 3 })
    for (let i = 11; i <= 15; i++) await store.set('pool.max', i, { actor: 'me', reason: `to ${i}` })
    const history = store.history()
    expect(history.map((h) => h.revision)).toEqual([6, 5, 4])
    expect(history[0]).toMatchObject({
      source: 'api',
      actor: 'me',
      reason: 'to 15',
      changes: [{ path: 'pool.max', from: 14, to: 15 }],
    })
    expect(store.history({ limit: 1 })).toHaveLength(1)
  })
})

describe('store.close', () => {
  it('settles pending transactions, completes streams and rejects later writes with CLOSED', async () => {
    const store = await make()
    let completed = false
    store.config$.subscribe({ complete: () => (completed = true) })
    const pending = store.set('pool.max', 11)
    await store.close()
    expect((await pending).status).toBe('committed')
    expect(completed).toBe(true)
    expect(await store.set('pool.max', 12)).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'CLOSED' }],
    })
    expect(store.status().closed).toBe(true)
  })

  it('works with await using', async () => {
    let closed: boolean
    {
      await using store = await make()
      closed = store.status().closed
    }
    expect(closed).toBe(false)
  })
})
