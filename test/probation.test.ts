import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type ConfigStoreOptions, createConfigStore, type StoreEvent } from '../src/index.ts'
import { fileSource } from '../src/sources/index.ts'
import { appSchema } from './fixtures/schemas.ts'
import { manualTimers, settle } from './support/manual-timers.ts'
import { useTempDirs } from './support/temp-dir.ts'
import { until } from './support/until.ts'

const tempDir = useTempDirs('hotconf-probation-')
const MINUTE = 60_000
const quiet = { debug() {}, info() {}, warn() {}, error() {} }

/** A store on manual clocks whose one store check reads `health.ok`. */
async function open(
  options: Partial<ConfigStoreOptions<typeof appSchema>> = {},
  clocks = manualTimers(),
  health = { ok: true },
) {
  const store = await createConfigStore({
    schema: appSchema,
    timers: clocks.timers,
    clock: clocks.clock,
    logger: quiet,
    ...options,
    probation: {
      everyMs: 1000,
      ...options.probation,
      checks: {
        health: () => {
          if (!health.ok) throw new Error('error rate above 5%')
          return true
        },
        ...options.probation?.checks,
      },
    },
  })
  const events: Extract<StoreEvent, { type: 'probation' }>[] = []
  store.events$.subscribe((e) => {
    if (e.type === 'probation') events.push(e)
  })
  return { store, clocks, health, events }
}

/** Moves the clocks by `ms` and lets the passes the timers started end their transactions. */
async function advance(clocks: ReturnType<typeof manualTimers>, ms: number): Promise<void> {
  clocks.advance(ms)
  await settle(20)
}

describe('probation (#20)', () => {
  it('reverts a change whose check fails before its time is up, as a transaction with source probation', async () => {
    const { store, clocks, health, events } = await open()
    const result = await store.set('pool.max', 30, { probation: { forMs: 5 * MINUTE }, actor: 'ops' })
    expect(result).toMatchObject({ status: 'committed', revision: 2 })
    expect(store.status().probation).toEqual([
      {
        revision: 2,
        until: new Date(clocks.clock().getTime() + 5 * MINUTE),
        source: 'api',
        actor: 'ops',
        paths: ['pool.max'],
      },
    ])
    await advance(clocks, 1000)
    expect(store.get('pool.max')).toBe(30)
    health.ok = false
    await advance(clocks, 1000)
    await until('the revert', () => store.get('pool.max') === 10)
    expect(store.explain('pool.max').layer).toBe('default')
    expect(store.status().probation).toEqual([])
    const [entry] = store.history({ limit: 1 })
    expect(entry).toMatchObject({
      source: 'probation',
      rollbackOf: 2,
      changes: [{ path: 'pool.max', from: 30, to: 10 }],
    })
    expect(entry!.reason).toBe(
      'revert of revision 2 on probation: check "health" failed: error rate above 5%',
    )
    expect(events.map((e) => [e.phase, e.revision])).toEqual([
      ['started', 2],
      ['reverted', 2],
    ])
    await store.close()
  })

  it('confirms a change when its time passes cleanly, and not before', async () => {
    const { store, clocks, events } = await open()
    await store.update({ pool: { max: 30 } }, { probation: { forMs: 5 * MINUTE } })
    await advance(clocks, 5 * MINUTE - 1)
    expect(store.status().probation).toHaveLength(1)
    await advance(clocks, 1)
    await until('the confirmation', () => store.status().probation.length === 0)
    expect(store.get('pool.max')).toBe(30)
    expect(store.history({ limit: 1 })[0]).toMatchObject({
      source: 'probation',
      changes: [],
      reason: 'revision 2 passed its probation',
    })
    expect(events.map((e) => e.phase)).toEqual(['started', 'confirmed'])
    await store.close()
  })

  it('checkProbation() runs the checks on demand and settles once what they decided has committed', async () => {
    const { store, health, events } = await open({ probation: { everyMs: 10 * MINUTE } })
    await store.set('pool.max', 30, { probation: { forMs: 5 * MINUTE } })
    // Nothing on probation is confirmed early: its time is not up.
    await store.checkProbation()
    expect(store.status().probation).toHaveLength(1)
    health.ok = false
    // No clock moves: the timer would not run them for ten minutes.
    await store.checkProbation()
    expect(store.get('pool.max')).toBe(10)
    expect(store.history({ limit: 1 })[0]).toMatchObject({ source: 'probation', rollbackOf: 2 })
    expect(events.map((e) => e.phase)).toEqual(['started', 'reverted'])
    // With nothing on probation it is a no-op.
    await store.checkProbation()
    expect(store.revision).toBe(3)
    await store.close()
  })

  it("a write's own check reverts its change only; the store's checks revert every change on probation, newest first", async () => {
    const { store, clocks, health } = await open()
    let bad = false
    await store.set('pool.max', 30, { probation: { forMs: MINUTE, check: () => !bad } })
    await store.set('features.newUi', true, { probation: { forMs: MINUTE } })
    await store.set('pool.max', 40, { probation: { forMs: MINUTE } })
    bad = true
    await advance(clocks, 1000)
    // Revision 2's own check failed: its value (30) no longer holds at pool.max, so nothing changes there.
    await until('the end of revision 2', () => store.status().probation.length === 2)
    expect(store.get('pool.max')).toBe(40)
    health.ok = false
    await advance(clocks, 1000)
    await until('the reverts', () => store.status().probation.length === 0)
    // Revision 4 first (40 → 30), then revision 3 (newUi back); 2 was reverted already.
    expect(store.current.pool.max).toBe(30)
    expect(store.current.features.newUi).toBe(false)
    expect(
      store
        .history()
        .filter((h) => h.source === 'probation')
        .map((h) => h.rollbackOf),
    ).toEqual([3, 4, 2])
    await store.close()
  })

  it('a participant that opts in reverts the changes on probation that touch its paths; leaving removes its check', async () => {
    const { store, clocks } = await open()
    let poolOk = true
    const leave = store.participate(() => {}, {
      name: 'pool',
      paths: ['pool'],
      check: ({ config }) => poolOk || config.pool.max < 20,
    })
    await store.set('pool.max', 30, { probation: { forMs: MINUTE } })
    await store.set('features.newUi', true, { probation: { forMs: MINUTE } })
    poolOk = false
    await advance(clocks, 1000)
    await until('the revert', () => store.get('pool.max') === 10)
    expect(store.status().probation.map((p) => p.revision)).toEqual([3])
    expect(store.history({ limit: 1 })[0]!.reason).toBe(
      'revert of revision 2 on probation: check "participant pool" failed: it returned false',
    )
    leave()
    await store.set('pool.max', 40, { probation: { forMs: MINUTE } })
    await advance(clocks, 1000)
    expect(store.get('pool.max')).toBe(40)
    await store.close()
  })

  it('reverts only the paths that still hold its values: a later change of another path stays', async () => {
    const { store, clocks, health } = await open()
    await store.update({ pool: { max: 30 }, features: { newUi: true } }, { probation: { forMs: MINUTE } })
    await store.set('features.newUi', false)
    await store.set('limits', { rps: 5 })
    health.ok = false
    await advance(clocks, 1000)
    await until('the revert', () => store.status().probation.length === 0)
    expect(store.current).toMatchObject({ pool: { max: 10 }, features: { newUi: false }, limits: { rps: 5 } })
    await store.close()
  })

  it('confirm(revision) and revert(revision) end a probation by hand; a revision not on probation is NOT_FOUND', async () => {
    const { store, events } = await open()
    await store.set('pool.max', 30, { probation: { forMs: MINUTE } })
    await store.set('pool.min', 5, { probation: { forMs: MINUTE } })
    expect(await store.confirm(2, { actor: 'ops' })).toMatchObject({ status: 'committed', changes: [] })
    expect(await store.revert(3, { actor: 'ops', reason: 'looks wrong' })).toMatchObject({
      status: 'committed',
      changes: [{ path: 'pool.min', from: 5, to: 2 }],
    })
    expect(store.current.pool).toEqual({ min: 2, max: 30 })
    expect(store.history({ limit: 1 })[0]).toMatchObject({
      actor: 'ops',
      reason: 'looks wrong',
      rollbackOf: 3,
    })
    expect(await store.confirm(3)).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'NOT_FOUND', message: 'revision 3 is not on probation' }],
    })
    expect(events.map((e) => [e.phase, e.revision, e.message])).toEqual([
      ['started', 2, undefined],
      ['started', 3, undefined],
      ['confirmed', 2, undefined],
      ['reverted', 3, 'looks wrong'],
    ])
    await store.close()
  })

  it('puts changes from the sources the store names on probation; a revert of a file change holds the old value in an override', async () => {
    const dir = await tempDir()
    const file = join(dir, 'app.json')
    await writeFile(file, JSON.stringify({ pool: { max: 20 } }))
    const { store, clocks, health } = await open({
      sources: [fileSource(file)],
      probation: { forMs: MINUTE, sources: ['file'] },
    })
    await writeFile(file, JSON.stringify({ pool: { max: 50 } }))
    expect(await store.reload({ source: 'file' })).toMatchObject({ status: 'committed' })
    expect(store.status().probation.map((p) => [p.source, p.paths])).toEqual([['file', ['pool.max']]])
    // Not a source the policy names: no probation.
    await store.set('pool.min', 3)
    expect(store.status().probation).toHaveLength(1)
    health.ok = false
    await advance(clocks, 1000)
    await until('the revert', () => store.get('pool.max') === 20)
    expect(store.explain('pool.max').layer).toBe('override')
    expect(store.get('pool.min')).toBe(3)
    await store.close()
  })

  it('survives a restart: a change still on probation is reverted at start when the checks fail there', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const first = await open({ overrides: { file } })
    await first.store.set('pool.max', 30, { probation: { forMs: 5 * MINUTE } })
    const doc = JSON.parse(await readFile(file, 'utf8'))
    expect(doc.probation['2']).toMatchObject({
      source: 'api',
      changes: [{ path: 'pool.max', from: 10, to: 30 }],
    })
    await first.store.close()
    // The process died with the change; it comes back unhealthy.
    const again = await open({ overrides: { file } }, manualTimers(), { ok: false })
    expect(again.store.get('pool.max')).toBe(10)
    expect(again.store.status().probation).toEqual([])
    expect(again.store.history({ limit: 1 })[0]).toMatchObject({ source: 'probation', rollbackOf: 2 })
    await again.store.close()
    const third = await open({ overrides: { file } })
    expect(third.store.get('pool.max')).toBe(10)
    expect(JSON.parse(await readFile(file, 'utf8')).probation).toBeUndefined()
    await third.store.close()
  })

  it('confirms at start a probation whose time passed while the store was stopped, when the checks pass', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const clocks = manualTimers()
    const first = await open({ overrides: { file } }, clocks)
    await first.store.set('pool.max', 30, { probation: { forMs: MINUTE } })
    await first.store.close()
    clocks.jumpWall(2 * MINUTE)
    const again = await open({ overrides: { file } }, clocks)
    expect(again.store.get('pool.max')).toBe(30)
    expect(again.store.status().probation).toEqual([])
    await again.store.close()
  })

  it('a check that never settles fails after participantTimeoutMs', async () => {
    const { store, clocks } = await open({
      participantTimeoutMs: 50,
      probation: { checks: { stuck: () => new Promise<boolean>(() => {}) } },
    })
    await store.set('pool.max', 30, { probation: { forMs: MINUTE } })
    await advance(clocks, 1000)
    await until('the revert', () => store.get('pool.max') === 10)
    expect(store.history({ limit: 1 })[0]!.reason).toBe(
      'revert of revision 2 on probation: check "stuck" failed: did not settle within 50 ms',
    )
    await store.close()
  })

  it('a confirm by hand queued before the checks end the probation wins, and no warning follows', async () => {
    const { store, clocks, health } = await open()
    await store.set('pool.max', 30, { probation: { forMs: MINUTE } })
    health.ok = false
    clocks.advance(1000)
    // The pass has started and awaits its checks: this confirm reaches the pipeline first.
    expect(await store.confirm(2)).toMatchObject({ status: 'committed' })
    await settle(20)
    expect(store.get('pool.max')).toBe(30)
    expect(store.status().probation).toEqual([])
    expect(store.status().warnings.filter((w) => w.code === 'PROBATION_FAILED')).toEqual([])
    await store.close()
  })

  it('takes a list of checks, named by their function', async () => {
    const clocks = manualTimers()
    const store = await createConfigStore({
      schema: appSchema,
      timers: clocks.timers,
      clock: clocks.clock,
      logger: quiet,
      probation: {
        checks: [
          () => true,
          function latency() {
            return false
          },
        ],
      },
    })
    await store.set('pool.max', 30, { probation: { forMs: MINUTE } })
    await advance(clocks, 1000)
    await until('the revert', () => store.get('pool.max') === 10)
    expect(store.history({ limit: 1 })[0]!.reason).toMatch(/check "latency" failed: it returned false/)
    await store.close()
  })

  it('refuses a bad forMs and bad options', async () => {
    const { store } = await open()
    expect(await store.set('pool.max', 30, { probation: { forMs: 0 } })).toMatchObject({
      status: 'rejected',
      errors: [
        { code: 'INVALID', message: 'probation.forMs must be a positive integer of milliseconds, got 0' },
      ],
    })
    await store.close()
    await expect(
      createConfigStore({ schema: appSchema, probation: { sources: ['http'] } }),
    ).rejects.toMatchObject({ issues: [{ code: 'BAD_OPTIONS', path: 'probation.forMs' }] })
    await expect(
      createConfigStore({ schema: appSchema, probation: { checks: { up: true as never } } }),
    ).rejects.toMatchObject({ issues: [{ code: 'BAD_OPTIONS', path: 'probation.checks.up' }] })
  })
})
