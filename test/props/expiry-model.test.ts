import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import type { ConfigStore } from '../../src/index.ts'
import { manualTimers, settle } from '../support/manual-timers.ts'
import {
  BASE,
  type Config,
  expectOverrides,
  type Leaf,
  type Override,
  openStore,
  PATHS,
  Reset,
  Restart,
} from './override-model.ts'

/*
 * Model-based property of expiring overrides (#20): random writes with and without deadlines, resets, time passing
 * and restarts (the store closed, time passing while it is down, the store opened again on the same file). Time is
 * a manual clock, so every run is deterministic. After every step: the effective config is the base layers plus the
 * overrides that are alive, `status().expiring` lists exactly their deadlines, nothing expired early, and no
 * deadline was acted on twice.
 */

interface Model {
  readonly overrides: Map<Leaf, Override>
}

interface Real {
  store: ConfigStore<Config>
  readonly clocks: ReturnType<typeof manualTimers>
  readonly file: string
  /** Revisions whose deadline an expiry transaction acted on, across restarts. */
  readonly expired: number[]
}

async function open(real: Pick<Real, 'clocks' | 'file' | 'expired'>): Promise<ConfigStore<Config>> {
  const store = await openStore(real)
  // The expiry a start queues has committed before `createConfigStore` resolved: read it from history.
  const seen = (reason: string | undefined) =>
    [...(reason ?? '').matchAll(/set at revision (\d+)/g)].map((m) => Number(m[1]))
  for (const h of store.history()) if (h.source === 'expiry') real.expired.push(...seen(h.reason))
  store.changes$.subscribe((c) => {
    if (c.source === 'expiry') real.expired.push(...seen(c.reason))
  })
  return store
}

/** Removes from the model what is due by now: what the store must have reset. */
function expire(model: Model, now: number): void {
  for (const [path, o] of model.overrides)
    if (o.due !== undefined && o.due <= now) model.overrides.delete(path)
}

async function drain(store: ConfigStore<Config>): Promise<void> {
  await store.update({})
  await settle(1)
}

function verify(model: Model, real: Real): void {
  const { store } = real
  expectOverrides(store, model.overrides)
  // Nothing twice: each deadline is acted on at most once, restarts included.
  expect(new Set(real.expired).size).toBe(real.expired.length)
}

class Write implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly path: Leaf,
    readonly value: number,
    readonly ttlMs: number | undefined,
  ) {}
  check = () => true
  async run(model: Model, real: Real): Promise<void> {
    const { store, clocks } = real
    const effective = model.overrides.get(this.path)?.value ?? BASE[this.path]
    const due = this.ttlMs === undefined ? undefined : clocks.timers.now() + this.ttlMs
    const result = await store.set(
      this.path,
      this.value,
      this.ttlMs === undefined ? {} : { ttlMs: this.ttlMs },
    )
    // The value the override holds already: `unchanged`, unless a deadline comes with it (it is renewed).
    const renews = this.value === effective && due !== undefined && model.overrides.has(this.path)
    if (this.value === effective && !renews) expect(result.status).toBe('unchanged')
    else {
      expect(result.status).toBe('committed')
      const revision = store.revision
      model.overrides.set(this.path, { value: this.value, revision, ...(due === undefined ? {} : { due }) })
    }
    verify(model, real)
  }
  toString = () => `set(${this.path}, ${this.value}${this.ttlMs === undefined ? '' : `, ttl ${this.ttlMs}`})`
}

class Advance implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true
  async run(model: Model, real: Real): Promise<void> {
    real.clocks.advance(this.ms)
    await drain(real.store)
    expire(model, real.clocks.timers.now())
    verify(model, real)
  }
  toString = () => `advance(${this.ms})`
}

const ttl = fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined, freq: 2 })
const commands = fc.commands(
  [
    fc
      .tuple(fc.constantFrom(...PATHS), fc.integer({ min: 0, max: 3 }), ttl)
      .map(([p, v, t]) => new Write(p, v, t)),
    fc.constantFrom(...PATHS).map((p) => new Reset(p, verify)),
    fc.integer({ min: 0, max: 120 }).map((ms) => new Advance(ms)),
    fc.integer({ min: 0, max: 120 }).map(
      (ms) =>
        new Restart<Model, Real>(ms, open, (model, real) => {
          expire(model, real.clocks.timers.now())
          verify(model, real)
        }),
    ),
  ],
  { maxCommands: 25 },
)

describe('expiring overrides, model-based (#20)', () => {
  test.prop([commands], { numRuns: 40 })(
    'the config is the base plus the live overrides; nothing expires early or twice',
    async (cmds) => {
      const dir = await mkdtemp(join(tmpdir(), 'hotconf-expiry-model-'))
      const clocks = manualTimers()
      const base = { clocks, file: join(dir, 'overrides.json'), expired: [] as number[] }
      const real: Real = { ...base, store: await open(base) }
      try {
        await fc.asyncModelRun(() => ({ model: { overrides: new Map() }, real }), cmds)
      } finally {
        await real.store.close()
        await rm(dir, { recursive: true, force: true })
      }
    },
    60_000,
  )
})
