import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type ConfigStore, createConfigStore, type StoreEvent } from '../src/index.ts'
import { type AppConfig, appSchema } from './fixtures/schemas.ts'
import { manualTimers, settle } from './support/manual-timers.ts'
import { useTempDirs } from './support/temp-dir.ts'

const tempDir = useTempDirs('hotconf-expiry-')
const MINUTE = 60_000

async function open(clocks = manualTimers(), file?: string) {
  const store = await createConfigStore({
    schema: appSchema,
    timers: clocks.timers,
    clock: clocks.clock,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    ...(file ? { overrides: { file } } : {}),
  })
  return { store, clocks }
}

/** Waits for everything queued so far (an expiry the timer just queued) to settle. */
async function drain(store: ConfigStore<AppConfig>): Promise<void> {
  await store.update({}, { source: 'test' })
  await settle(1)
}

describe('expiring overrides (#20)', () => {
  it('resets the override at its deadline, not before, as one transaction with source expiry', async () => {
    const { store, clocks } = await open()
    const result = await store.set('pool.max', 30, { ttlMs: 15 * MINUTE, actor: 'ops' })
    expect(result).toMatchObject({ status: 'committed', revision: 2 })
    expect(store.status().expiring).toEqual([
      { path: 'pool.max', at: new Date(clocks.clock().getTime() + 15 * MINUTE), revision: 2, actor: 'ops' },
    ])
    expect(store.explain('pool.max').expires).toEqual({ at: store.status().expiring[0]!.at, revision: 2 })
    clocks.advance(15 * MINUTE - 1)
    await drain(store)
    expect(store.get('pool.max')).toBe(30)
    clocks.advance(1)
    await drain(store)
    expect(store.get('pool.max')).toBe(10)
    expect(store.explain('pool.max').layer).toBe('default')
    expect(store.status().expiring).toEqual([])
    const [entry] = store.history({ limit: 1 })
    expect(entry).toMatchObject({ source: 'expiry', changes: [{ path: 'pool.max', from: 30, to: 10 }] })
    expect(entry!.reason).toBe('expiry of pool.max set at revision 2 by ops')
    await store.close()
  })

  it('update with ttlMs gives every path it changes the deadline', async () => {
    const { store, clocks } = await open()
    await store.update({ pool: { max: 40 }, features: { newUi: true } }, { ttlMs: MINUTE })
    expect(store.status().expiring.map((e) => e.path)).toEqual(['features.newUi', 'pool.max'])
    clocks.advance(MINUTE)
    await drain(store)
    expect(store.current.pool.max).toBe(10)
    expect(store.current.features.newUi).toBe(false)
    expect(store.history().filter((h) => h.source === 'expiry')).toHaveLength(1)
    await store.close()
  })

  it('a later write to the path replaces the deadline, or clears it when it has none', async () => {
    const { store, clocks } = await open()
    await store.set('pool.max', 30, { ttlMs: MINUTE })
    await store.set('pool.max', 31, { ttlMs: 10 * MINUTE })
    expect(store.status().expiring).toMatchObject([{ path: 'pool.max', revision: 3 }])
    clocks.advance(MINUTE)
    await drain(store)
    expect(store.get('pool.max')).toBe(31)
    await store.set('pool.max', 32)
    expect(store.status().expiring).toEqual([])
    clocks.advance(20 * MINUTE)
    await drain(store)
    expect(store.get('pool.max')).toBe(32)
    expect(store.history().some((h) => h.source === 'expiry')).toBe(false)
    await store.close()
  })

  it('a set of the value the override holds, with ttlMs, renews the deadline', async () => {
    const { store, clocks } = await open()
    await store.set('pool.max', 30, { ttlMs: MINUTE })
    clocks.advance(MINUTE / 2)
    const renewed = await store.set('pool.max', 30, { ttlMs: MINUTE })
    expect(renewed).toMatchObject({ status: 'committed', revision: 3, changes: [] })
    expect(store.status().expiring).toMatchObject([{ path: 'pool.max', revision: 3 }])
    clocks.advance(MINUTE / 2)
    await drain(store)
    expect(store.get('pool.max')).toBe(30)
    clocks.advance(MINUTE / 2)
    await drain(store)
    expect(store.get('pool.max')).toBe(10)
    // Without a deadline, the same value is still `unchanged`: writes without a TTL behave as before.
    expect(await store.set('pool.max', 10)).toMatchObject({ status: 'unchanged' })
    await store.close()
  })

  it('never resets early a deadline due a millisecond after the one the timer fired for', async () => {
    const { store, clocks } = await open()
    await store.set('pool.max', 30, { ttlMs: MINUTE })
    await store.set('features.newUi', true, { ttlMs: MINUTE + 1 })
    clocks.advance(MINUTE)
    await drain(store)
    expect(store.get('pool.max')).toBe(10)
    expect(store.current.features.newUi).toBe(true)
    clocks.advance(1)
    await drain(store)
    expect(store.current.features.newUi).toBe(false)
    expect(
      store
        .history()
        .filter((h) => h.source === 'expiry')
        .map((h) => h.reason),
    ).toEqual(['expiry of features.newUi set at revision 3', 'expiry of pool.max set at revision 2'])
    await store.close()
  })

  it('names the first revisions in the reason of a burst and counts the rest', async () => {
    const { store, clocks } = await open()
    // Eight writes, one deadline: one transaction resets them all.
    for (let i = 0; i < 8; i++) await store.set(`limits.l${i}` as never, (i + 1) as never, { ttlMs: MINUTE })
    clocks.advance(MINUTE)
    await drain(store)
    expect(store.current.limits).toEqual({})
    const [entry] = store.history({ limit: 1 })
    expect(entry).toMatchObject({ source: 'expiry' })
    expect(entry!.changes).toHaveLength(8)
    expect(entry!.reason).toBe(
      'expiry of limits.l0 set at revision 2; limits.l1 set at revision 3; limits.l2 set at revision 4; limits.l3 set at revision 5; and 4 more set by 4 other revisions',
    )
    await store.close()
  })

  it('the manual write wins when it races the expiry of the same path', async () => {
    const { store, clocks } = await open()
    await store.set('pool.max', 30, { ttlMs: MINUTE })
    // The timer queues the expiry first; the manual write is queued behind it in the same tick.
    clocks.advance(MINUTE)
    const manual = store.set('pool.max', 50)
    await manual
    await drain(store)
    expect(store.get('pool.max')).toBe(50)
    // And the other order: the manual write first, then the deadline of the write it replaced.
    await store.set('pool.max', 60, { ttlMs: MINUTE })
    const write = store.set('pool.max', 70)
    clocks.advance(MINUTE)
    await write
    await drain(store)
    expect(store.get('pool.max')).toBe(70)
    expect(store.history().filter((h) => h.source === 'expiry')).toHaveLength(1)
    await store.close()
  })

  it('reports EXPIRY_FAILED when the reset would be invalid, and retries after the next change', async () => {
    const { store, clocks } = await open()
    const warnings: StoreEvent[] = []
    store.events$.subscribe((e) => e.type === 'warning' && warnings.push(e))
    await store.set('pool.max', 30, { ttlMs: MINUTE })
    await store.set('pool.min', 25)
    clocks.advance(MINUTE)
    await drain(store)
    // Resetting pool.max to 10 would break pool.min <= pool.max.
    expect(store.get('pool.max')).toBe(30)
    expect(warnings).toMatchObject([{ code: 'EXPIRY_FAILED' }])
    expect(store.status().expiring).toHaveLength(1)
    // Not retried in a loop: time alone does not bring it back.
    clocks.advance(MINUTE)
    await drain(store)
    expect(warnings).toHaveLength(1)
    await store.set('pool.min', 5)
    // The commit re-armed the timer for the deadline that already passed.
    clocks.advance(0)
    await drain(store)
    expect(store.get('pool.max')).toBe(10)
    expect(store.status().expiring).toEqual([])
    await store.close()
  })

  it('waits on the monotonic clock: a wall clock that jumps neither fires it early nor holds it back', async () => {
    const { store, clocks } = await open()
    await store.set('pool.max', 30, { ttlMs: 10 * MINUTE })
    clocks.jumpWall(60 * MINUTE)
    clocks.advance(5 * MINUTE)
    await drain(store)
    expect(store.get('pool.max')).toBe(30)
    clocks.jumpWall(-120 * MINUTE)
    clocks.advance(5 * MINUTE)
    await drain(store)
    expect(store.get('pool.max')).toBe(10)
    await store.close()
  })

  it('rejects a ttlMs that is not a positive integer', async () => {
    const { store } = await open()
    for (const ttlMs of [0, -1, 1.5, Number.NaN]) {
      const result = await store.set('pool.max', 30, { ttlMs })
      expect(result).toMatchObject({ status: 'rejected', errors: [{ code: 'INVALID', path: '' }] })
    }
    expect(store.revision).toBe(1)
    await store.close()
  })

  it('a reset of the path clears its deadline', async () => {
    const { store } = await open()
    await store.set('pool.max', 30, { ttlMs: MINUTE })
    await store.reset('pool')
    expect(store.status().expiring).toEqual([])
    await store.close()
  })

  it('persists deadlines with the overrides and keeps them across a restart', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const clocks = manualTimers()
    const first = await open(clocks, file)
    await first.store.set('pool.max', 30, { ttlMs: 10 * MINUTE, actor: 'ops' })
    await first.store.close()
    const doc = JSON.parse(await readFile(file, 'utf8'))
    expect(doc.expiries).toEqual({
      'pool.max': {
        at: new Date(clocks.clock().getTime() + 10 * MINUTE).toISOString(),
        revision: 2,
        actor: 'ops',
      },
    })
    clocks.advance(5 * MINUTE)
    const second = await open(clocks, file)
    expect(second.store.get('pool.max')).toBe(30)
    clocks.advance(5 * MINUTE)
    await drain(second.store)
    expect(second.store.get('pool.max')).toBe(10)
    await second.store.close()
    expect(JSON.parse(await readFile(file, 'utf8')).expiries).toBeUndefined()
  })

  it('resets at start what expired while the store was stopped, and history says so', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const clocks = manualTimers()
    const first = await open(clocks, file)
    await first.store.set('pool.max', 30, { ttlMs: MINUTE, actor: 'ops' })
    await first.store.close()
    clocks.advance(60 * MINUTE)
    const { store } = await open(clocks, file)
    expect(store.get('pool.max')).toBe(10)
    expect(store.history({ limit: 1 })[0]).toMatchObject({
      source: 'expiry',
      reason: 'expiry of pool.max set at revision 2 by ops (the deadline passed while the store was stopped)',
    })
    await store.close()
  })

  it('follows a deadline another instance renewed, read by a reload that changes no value', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const clocks = manualTimers()
    const a = await open(clocks, file)
    const b = await open(clocks, file)
    await a.store.set('pool.max', 30, { ttlMs: MINUTE })
    await b.store.reload()
    await a.store.set('pool.max', 30, { ttlMs: 10 * MINUTE })
    await a.store.close()
    expect(await b.store.reload()).toMatchObject({ status: 'unchanged' })
    expect(b.store.status().expiring).toMatchObject([{ path: 'pool.max', revision: 3 }])
    clocks.advance(MINUTE)
    await drain(b.store)
    expect(b.store.get('pool.max')).toBe(30)
    clocks.advance(9 * MINUTE)
    await drain(b.store)
    expect(b.store.get('pool.max')).toBe(10)
    await b.store.close()
  })

  it('reads an overrides file written before deadlines existed', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const old = {
      hotconf: 1,
      revision: 3,
      updatedAt: '',
      environment: 'test',
      overrides: { pool: { max: 12 } },
    }
    await writeFile(file, JSON.stringify(old))
    const { store } = await open(manualTimers(), file)
    expect(store.get('pool.max')).toBe(12)
    expect(store.status().expiring).toEqual([])
    await store.close()
  })
})
