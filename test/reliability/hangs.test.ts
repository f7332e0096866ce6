import { execFileSync } from 'node:child_process'
import { readFile, rm, stat, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, type ConfigSource, createConfigStore, type UpdateResult } from '../../src/index.ts'
import type { OverridesBackend, PersistedOverrides } from '../../src/types.ts'
import { appSchema } from '../fixtures/schemas.ts'
import { until } from '../support/json-layer.ts'
import { useTempDirs } from '../support/temp-dir.ts'

const tempDir = useTempDirs('hotconf-hangs-')
const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const never = () => new Promise<never>(() => {})

/** A source whose next loads can be made to hang; `late` settles a hung load with `data`. */
function stallingSource(max: number) {
  let hang = false
  let settleLate: (() => void) | undefined
  const signals: AbortSignal[] = []
  const source: ConfigSource & { reads: number } = {
    name: 'stalling',
    reads: 0,
    async load(ctx) {
      source.reads++
      if (ctx.signal) signals.push(ctx.signal)
      if (!hang) return { data: { pool: { max } } }
      await new Promise<void>((resolve) => (settleLate = resolve))
      return { data: { pool: { max } } }
    },
  }
  return {
    source,
    signals,
    hang: (on = true) => (hang = on),
    set: (value: number) => (max = value),
    late: () => settleLate?.(),
  }
}

function fifo(path: string): void {
  execFileSync('mkfifo', [path])
}

/** An in-memory backend whose loads hang while `hanging` is set. */
function stallingBackend(): OverridesBackend & { hanging: boolean } {
  let doc: PersistedOverrides | undefined
  const backend = {
    name: 'stalling-backend',
    hanging: false,
    load: async () => (backend.hanging ? never() : doc),
    save: async (next: PersistedOverrides) => {
      doc = next
    },
  }
  return backend
}

describe('loadTimeoutMs (issue 15, hangs)', () => {
  it('rejects a reload with SOURCE_TIMEOUT when a source never settles, and the next reload reads again', async () => {
    const s = stallingSource(11)
    const store = await createConfigStore({
      schema: appSchema,
      sources: [s.source],
      loadTimeoutMs: 50,
      logger: quiet,
    })
    s.hang()
    const hung = await store.reload()
    expect(hung).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'SOURCE_TIMEOUT', source: 'stalling' }],
    })
    expect(s.signals.at(-1)?.aborted).toBe(true)
    s.hang(false)
    s.set(12)
    expect(await store.reload()).toMatchObject({ status: 'committed' })
    expect(store.current.pool.max).toBe(12)
    await store.close()
  })

  it('does not apply a read that settles after its timeout', async () => {
    const s = stallingSource(11)
    const store = await createConfigStore({
      schema: appSchema,
      sources: [s.source],
      loadTimeoutMs: 30,
      logger: quiet,
    })
    s.hang()
    s.set(99)
    expect((await store.reload()).status).toBe('rejected')
    s.late()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(store.current.pool.max).toBe(11)
    expect(store.revision).toBe(1)
    await store.close()
  })

  it('settles every coalesced reload when the read hangs, and close() resolves', async () => {
    const s = stallingSource(11)
    const store = await createConfigStore({
      schema: appSchema,
      sources: [s.source],
      loadTimeoutMs: 40,
      logger: quiet,
    })
    s.hang()
    const burst = [store.reload(), store.reload(), store.reload()]
    const closed = store.close()
    const results = await Promise.all(burst)
    await closed
    for (const r of results) expect(r.status).toBe('rejected')
  })

  it('fails createConfigStore with SOURCE_TIMEOUT when a source never settles at start', async () => {
    const hung: ConfigSource = { name: 'hung', load: never }
    const start = createConfigStore({ schema: appSchema, sources: [hung], loadTimeoutMs: 30, logger: quiet })
    await expect(start).rejects.toBeInstanceOf(ConfigError)
    await expect(start).rejects.toMatchObject({ code: 'SOURCE_TIMEOUT', issues: [{ source: 'hung' }] })
  })

  it('fails createConfigStore with SOURCE_TIMEOUT when the backend load never settles at start', async () => {
    const backend = stallingBackend()
    backend.hanging = true
    await expect(
      createConfigStore({ schema: appSchema, overrides: { backend }, loadTimeoutMs: 30, logger: quiet }),
    ).rejects.toMatchObject({ code: 'SOURCE_TIMEOUT', issues: [{ source: 'stalling-backend' }] })
  })

  it('rejects a reload with SOURCE_TIMEOUT when the backend load hangs, and set() and close() still work', async () => {
    const backend = stallingBackend()
    const store = await createConfigStore({
      schema: appSchema,
      overrides: { backend },
      loadTimeoutMs: 30,
      logger: quiet,
    })
    backend.hanging = true
    const [reload, set] = await Promise.all([store.reload(), store.set('pool.max', 20)])
    expect(reload).toMatchObject({ status: 'rejected', errors: [{ code: 'SOURCE_TIMEOUT' }] })
    expect(set).toMatchObject({ status: 'committed' })
    expect(await store.reload()).toMatchObject({ status: 'rejected' })
    await store.close()
  })

  it('drops a backend load that settles after its timeout, and close() resolves while one hangs', async () => {
    let settle: ((doc: PersistedOverrides) => void) | undefined
    const backend = stallingBackend()
    const store = await createConfigStore({
      schema: appSchema,
      overrides: { backend },
      loadTimeoutMs: 30,
      logger: quiet,
    })
    backend.load = () => new Promise((resolve) => (settle = resolve))
    expect(await store.reload()).toMatchObject({ status: 'rejected', errors: [{ code: 'SOURCE_TIMEOUT' }] })
    settle?.({ overrides: { pool: { max: 77 } }, revision: 9, updatedAt: '', environment: 'test' })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(store.current.pool.max).toBe(10)
    expect(store.revision).toBe(1)
    const hung = store.reload()
    await store.close()
    expect(await hung).toMatchObject({ status: 'rejected' })
  })

  it('starts on the last known good config when a source never settles at start', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const good = await createConfigStore({ schema: appSchema, overrides: { file }, lastKnownGood: true })
    await good.set('pool.max', 21)
    await good.close()
    const hung: ConfigSource = { name: 'hung', load: never }
    const revived = await createConfigStore({
      schema: appSchema,
      overrides: { file },
      lastKnownGood: true,
      sources: [hung],
      loadTimeoutMs: 30,
      logger: quiet,
    })
    expect(revived.current.pool.max).toBe(21)
    const warning = revived.status().warnings.find((w) => w.code === 'LAST_KNOWN_GOOD')
    expect(warning?.message).toContain('SOURCE_TIMEOUT')
    await revived.close()
  })

  it('refuses a loadTimeoutMs that is not a positive integer', async () => {
    for (const loadTimeoutMs of [0, -1, 1.5, Number.NaN]) {
      await expect(createConfigStore({ schema: appSchema, loadTimeoutMs })).rejects.toMatchObject({
        code: 'BAD_OPTIONS',
        path: 'loadTimeoutMs',
      })
    }
  })
})

describe('a non-regular or oversized overrides file (issue 15, hangs)', () => {
  it('fails createConfigStore with SOURCE_FAILED when the overrides path is a FIFO', async () => {
    const file = join(await tempDir(), 'overrides.json')
    fifo(file)
    await expect(
      createConfigStore({ schema: appSchema, overrides: { file }, logger: quiet }),
    ).rejects.toMatchObject({ code: 'SOURCE_FAILED', message: expect.stringContaining('not a regular file') })
  })

  it('fails createConfigStore with SOURCE_FAILED when the overrides file is larger than 10 MiB', async () => {
    const file = join(await tempDir(), 'overrides.json')
    await writeFile(file, '')
    await truncate(file, 10 * 1024 * 1024 + 1)
    await expect(
      createConfigStore({ schema: appSchema, overrides: { file }, logger: quiet }),
    ).rejects.toMatchObject({ code: 'SOURCE_FAILED', message: expect.stringContaining('maxBytes') })
  })

  it('rejects a reload when a FIFO appears at the overrides path at runtime; set() replaces it and close() resolves', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const store = await createConfigStore({ schema: appSchema, overrides: { file }, logger: quiet })
    expect(await store.set('pool.max', 20)).toMatchObject({ status: 'committed' })
    await rm(file)
    fifo(file)
    expect(await store.reload()).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'SOURCE_FAILED', message: expect.stringContaining('not a regular file') }],
    })
    expect(store.current.pool.max).toBe(20)
    expect(await store.set('pool.max', 21)).toMatchObject({ status: 'committed' })
    expect((await stat(file)).isFile()).toBe(true)
    expect(JSON.parse(await readFile(file, 'utf8')).overrides).toEqual({ pool: { max: 21 } })
    await store.close()
  })

  it('fails createConfigStore with SOURCE_FAILED when the snapshots file is a FIFO', async () => {
    const file = join(await tempDir(), 'overrides.json')
    fifo(`${file}.snapshots.json`)
    await expect(
      createConfigStore({ schema: appSchema, overrides: { file }, logger: quiet }),
    ).rejects.toMatchObject({ code: 'SOURCE_FAILED' })
  })

  it('fails with the source error and the refused last-good file when both are broken at start', async () => {
    const file = join(await tempDir(), 'overrides.json')
    fifo(`${file}.last-good.json`)
    const broken: ConfigSource = { name: 'broken', load: async () => Promise.reject(new Error('disk gone')) }
    const start = createConfigStore({
      schema: appSchema,
      overrides: { file },
      lastKnownGood: true,
      sources: [broken],
      logger: quiet,
    })
    await expect(start).rejects.toMatchObject({
      code: 'SOURCE_FAILED',
      issues: [
        { message: 'disk gone' },
        { code: 'SOURCE_FAILED', message: expect.stringContaining('not a regular file') },
      ],
    })
  })
})

describe('store calls from inside a participant (issue 15, hangs)', () => {
  const open = () =>
    createConfigStore({ schema: appSchema, participantTimeoutMs: 10_000, logger: quiet, environment: 'test' })

  type Store = Awaited<ReturnType<typeof open>>
  const calls: [string, (s: Store) => Promise<UpdateResult>][] = [
    ['set', (s) => s.set('pool.min', 3)],
    ['update', (s) => s.update({ pool: { min: 3 } })],
    ['reload', (s) => s.reload()],
    ['reset', (s) => s.reset()],
    ['rollback', (s) => s.rollback(1)],
    ['import', (s) => s.import({ config: s.current })],
  ]

  it.each(calls)(
    'refuses %s() at once with REENTRANT, and the outer transaction commits alone',
    async (_, call) => {
      const store = await open()
      let inner: UpdateResult | undefined
      store.participate(
        async () => {
          inner = await call(store)
        },
        { paths: ['pool.max'] },
      )
      expect(await store.set('pool.max', 20)).toMatchObject({ status: 'committed', revision: 2 })
      expect(inner).toMatchObject({ status: 'rejected', errors: [{ code: 'REENTRANT' }] })
      expect(store.history().map((h) => h.revision)).toEqual([2])
      await store.close()
    },
  )

  it('refuses writes from a participant being compensated', async () => {
    const store = await open()
    let inner: UpdateResult | undefined
    store.participate(
      async (_next, _prev, txn) => {
        if (txn.compensating) inner = await store.set('pool.min', 3)
      },
      { paths: ['pool.max'] },
    )
    store.participate(
      () => {
        throw new Error('veto')
      },
      { paths: ['pool.max'] },
    )
    expect(await store.set('pool.max', 20)).toMatchObject({ status: 'rolledBack' })
    expect(inner).toMatchObject({ status: 'rejected', errors: [{ code: 'REENTRANT' }] })
    await store.close()
  })

  it('lets a participant validate()', async () => {
    const store = await open()
    let checked: unknown
    store.participate(
      async () => {
        checked = await store.validate({ pool: { min: 3 } })
      },
      { paths: ['pool.max'] },
    )
    expect(await store.set('pool.max', 20)).toMatchObject({ status: 'committed' })
    expect(checked).toMatchObject({ ok: true, changes: [{ path: 'pool.min', from: 2, to: 3 }] })
    await store.close()
  })

  it('lets a participant close() the store without deadlock: its transaction settles, later writes are CLOSED', async () => {
    const store = await open()
    store.participate(
      async () => {
        await store.close()
      },
      { paths: ['pool.max'] },
    )
    expect(await store.set('pool.max', 20)).toMatchObject({ status: 'committed' })
    await store.close()
    expect(store.status().closed).toBe(true)
    expect(await store.set('pool.max', 21)).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'CLOSED' }],
    })
  })

  it('accepts a write a participant scheduled for after it returned', async () => {
    const store = await open()
    let later: Promise<UpdateResult> | undefined
    store.participate(
      () => {
        later ??= new Promise((resolve) => setTimeout(() => resolve(store.set('pool.min', 3)), 0))
      },
      { paths: ['pool.max'] },
    )
    expect(await store.set('pool.max', 20)).toMatchObject({ status: 'committed' })
    expect(await later).toMatchObject({ status: 'committed', revision: 3 })
    await store.close()
  })

  it('accepts a write from a participant of another store', async () => {
    const a = await open()
    const b = await open()
    let inner: UpdateResult | undefined
    b.participate(
      async (next) => {
        inner = await a.set('pool.max', next.pool.max)
      },
      { paths: ['pool.max'] },
    )
    expect(await b.set('pool.max', 20)).toMatchObject({ status: 'committed' })
    expect(inner).toMatchObject({ status: 'committed' })
    expect(a.current.pool.max).toBe(20)
    await Promise.all([a.close(), b.close()])
  })

  it('keeps queueing writes from changes$ and events$ observers', async () => {
    const store = await open()
    const results: UpdateResult[] = []
    store.participate(() => {}, { paths: ['pool.max'] })
    store.changes$.subscribe((ch) => {
      if (ch.revision === 2) void store.set('pool.min', 3).then((r) => results.push(r))
    })
    store.events$.subscribe((e) => {
      if (e.type === 'transaction' && e.phase === 'committed' && e.revision === 2)
        void store.set('features.newUi', true).then((r) => results.push(r))
    })
    expect(await store.set('pool.max', 20)).toMatchObject({ status: 'committed' })
    await until(() => results.length === 2)
    expect(results.map((r) => r.status)).toEqual(['committed', 'committed'])
    expect(store.current).toMatchObject({ pool: { min: 3, max: 20 }, features: { newUi: true } })
    await store.close()
  })
})

describe('snapshot() and deleteSnapshot() after close() (issue 15, small ones)', () => {
  it('reject with ConfigError CLOSED and write nothing', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const store = await createConfigStore({ schema: appSchema, overrides: { file }, logger: quiet })
    const pinned = await store.snapshot({ label: 'before' })
    await store.close()
    const before = await readFile(`${file}.snapshots.json`, 'utf8')
    await expect(store.snapshot({ label: 'after' })).rejects.toMatchObject({
      name: 'ConfigError',
      code: 'CLOSED',
    })
    await expect(store.deleteSnapshot(pinned.id)).rejects.toMatchObject({
      name: 'ConfigError',
      code: 'CLOSED',
    })
    expect(store.snapshots().map((s) => s.label)).toEqual(['before'])
    expect(await readFile(`${file}.snapshots.json`, 'utf8')).toBe(before)
  })
})
