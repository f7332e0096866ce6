import { afterEach, describe, expect, it } from 'vitest'
import { createConfigStore } from '../../src/index.ts'
import type { ConfigStore, StoreEvent } from '../../src/types.ts'
import { memoryLogger, schema, type TestConfig } from '../adapters/http/fixture.ts'
import { until } from '../support/json-layer.ts'

// Vetoes, compensation order, a participant that ends on its abort signal and an observer that throws are covered
// in test/store.test.ts; these are the harder faults on top of them.

const open: ConfigStore<TestConfig>[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
})

async function make(participantTimeoutMs = 5000) {
  const logger = memoryLogger()
  const store = await createConfigStore({ schema, initial: { name: 'svc' }, participantTimeoutMs, logger })
  open.push(store)
  const events: StoreEvent[] = []
  store.events$.subscribe((e) => events.push(e))
  const warnings = () => events.flatMap((e) => (e.type === 'warning' ? [e] : []))
  return { store, events, warnings, logger }
}

describe('participant faults', () => {
  it.each([
    ['a string', 'not an Error'],
    ['undefined', undefined],
    ['null', null],
    ['an object', { reason: 'weird' }],
  ])(
    'rolls back with PARTICIPANT_FAILED when a participant throws %s synchronously',
    async (_label, thrown) => {
      const { store, events } = await make()
      const off = store.participate(
        () => {
          throw thrown
        },
        { name: 'thrower' },
      )
      const result = await store.set('pool.max', 20)
      expect(result).toMatchObject({
        status: 'rolledBack',
        revision: 1,
        errors: [{ code: 'PARTICIPANT_FAILED' }],
      })
      expect(store.current.pool.max).toBe(10)
      expect(events).toContainEqual(expect.objectContaining({ type: 'transaction', phase: 'rolledBack' }))
      off()
      expect(await store.set('pool.max', 20)).toMatchObject({ status: 'committed', revision: 2 })
    },
  )

  it('times out a participant that never settles and ignores its signal, and later transactions still run', async () => {
    const { store } = await make(40)
    let calls = 0
    const off = store.participate(() => {
      calls++
      return new Promise<void>(() => {})
    })
    const results = await Promise.all([store.set('pool.max', 20), store.set('pool.max', 30)])
    expect(results.map((r) => r.status)).toEqual(['rolledBack', 'rolledBack'])
    for (const r of results) expect(r).toMatchObject({ errors: [{ code: 'PARTICIPANT_TIMEOUT' }] })
    expect(calls).toBe(2)
    off()
    expect(await store.set('pool.max', 40)).toMatchObject({ status: 'committed', revision: 2 })
    expect(store.stats()).toMatchObject({ commits: 1, rolledBack: 2 })
  })

  /** A participant that accepts, then throws when asked to undo, beside one that vetoes every change. */
  async function stubbornAndVeto() {
    const made = await make()
    const seen: string[] = []
    made.store.participate(
      (next, _prev, txn) => {
        seen.push(`${next.pool.max}:${txn.compensating}`)
        if (txn.compensating) throw new Error('cannot undo either')
      },
      { name: 'stubborn' },
    )
    const offVeto = made.store.participate(
      async () => {
        throw new Error('no')
      },
      { name: 'veto' },
    )
    return { ...made, seen, offVeto }
  }

  it('rolls back and stays usable when an accepted participant also throws while being compensated', async () => {
    const { store, logger, seen, offVeto } = await stubbornAndVeto()
    const result = await store.set('pool.max', 20)
    expect(result).toMatchObject({
      status: 'rolledBack',
      revision: 1,
      errors: [{ code: 'PARTICIPANT_FAILED' }],
    })
    expect(seen).toEqual(['20:false', '10:true'])
    expect(store.current.pool.max).toBe(10)
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: expect.stringContaining('"stubborn" failed to compensate'),
        data: { code: 'COMPENSATION_FAILED' },
      }),
    )
    offVeto()
    expect(await store.set('pool.max', 20)).toMatchObject({ status: 'committed', revision: 2 })
    expect(seen.at(-1)).toBe('20:false')
  })

  it('warns COMPENSATION_FAILED on events$ when a compensation throws', async () => {
    const { store, warnings } = await stubbornAndVeto()
    await store.set('pool.max', 20)
    expect(warnings()).toContainEqual(expect.objectContaining({ code: 'COMPENSATION_FAILED' }))
  })

  it('keeps revisions gap-free through a run of mixed participant faults', async () => {
    const { store } = await make(20)
    let mode = 0
    store.participate(async (_next, _prev, txn) => {
      if (txn.compensating) return
      if (mode === 1) throw new Error('sync-ish veto')
      if (mode === 2) await Promise.reject(new Error('rejected'))
      if (mode === 3) await new Promise<void>(() => {})
    })
    const statuses: string[] = []
    for (let i = 0; i < 40; i++) {
      mode = i % 4
      statuses.push((await store.set('pool.max', 100 + i)).status)
    }
    expect(statuses.filter((s) => s === 'committed')).toHaveLength(10)
    expect(statuses.filter((s) => s === 'rolledBack')).toHaveLength(30)
    expect(store.revision).toBe(11)
    expect(store.history().map((h) => h.revision)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2])
    expect(store.current.pool.max).toBe(136)
  })
})

describe('observer faults', () => {
  it('commits while an async observer is still busy with an earlier config', async () => {
    const { store } = await make()
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const slowSaw: number[] = []
    store.changes$.subscribe(async (c) => {
      await gate
      slowSaw.push(c.revision)
    })
    const fastSaw: number[] = []
    store.changes$.subscribe((c) => fastSaw.push(c.revision))
    for (const max of [20, 30, 40]) expect((await store.set('pool.max', max)).status).toBe('committed')
    expect(fastSaw).toEqual([2, 3, 4])
    expect(slowSaw).toEqual([])
    release()
    await until(() => slowSaw.length === 3)
  })

  it('counts and reports OBSERVER_FAILED for throwing subscribers on every stream, and other observers go on', async () => {
    const { store, warnings } = await make()
    const boom = () => {
      throw new Error('observer bug')
    }
    store.subscribe(boom)
    store.config$.subscribe(boom)
    store.events$.subscribe(boom)
    const seen: number[] = []
    store.subscribe((c) => seen.push(c.pool.max))
    expect(await store.set('pool.max', 20)).toMatchObject({ status: 'committed' })
    expect(await store.set('pool.max', 30)).toMatchObject({ status: 'committed' })
    expect(seen).toEqual([20, 30])
    expect(store.stats().observerErrors).toBeGreaterThanOrEqual(4)
    expect(warnings().some((w) => w.code === 'OBSERVER_FAILED')).toBe(true)
  })

  it('queues an update made from inside an observer instead of deadlocking or losing it', async () => {
    const { store } = await make()
    const nested: Promise<unknown>[] = []
    store.changes$.subscribe((c) => {
      if (c.revision === 2) nested.push(store.set('pool.min', 1, { reason: 'from an observer' }))
    })
    expect(await store.set('pool.max', 20)).toMatchObject({ status: 'committed', revision: 2 })
    expect(await Promise.all(nested)).toMatchObject([{ status: 'committed', revision: 3 }])
    expect(store.current.pool).toEqual({ min: 1, max: 20 })
  })
})
