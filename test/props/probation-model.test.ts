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
 * Model-based property of probation with expiring overrides (#20): random writes (with and without a deadline or a
 * probation), resets, the service's health flipping, confirms and reverts by hand, time passing and restarts (the
 * store closed, time passing while it is down, the store opened again on the same file). Time is a manual clock
 * moved one millisecond at a time, and the store's check runs every millisecond, so every run is deterministic:
 * within a millisecond the deadlines that passed are reset first, then the pass of the checks reverts every change
 * on probation (newest first) when the service is unhealthy, or confirms those whose time is up. After every step
 * the effective config is the base plus the overrides that are alive and not reverted, `status()` lists exactly
 * the model's deadlines and probations, and no change is reverted twice.
 */

interface OnProbation {
  readonly due: number
  readonly path: Leaf
  readonly from: number
  readonly to: number
}

interface Model {
  readonly overrides: Map<Leaf, Override>
  readonly probation: Map<number, OnProbation>
}

interface Real {
  store: ConfigStore<Config>
  readonly clocks: ReturnType<typeof manualTimers>
  readonly file: string
  readonly health: { ok: boolean }
}

function open(real: Omit<Real, 'store'>): Promise<ConfigStore<Config>> {
  return openStore(real, { probation: { everyMs: 1, checks: { health: () => real.health.ok } } })
}

const effective = (model: Model, path: Leaf) => model.overrides.get(path)?.value ?? BASE[path]

/** What the store does within the millisecond that ends at `now` (or at a start): expiries, then the checks' pass. */
function step(model: Model, now: number, healthy: boolean): void {
  for (const [path, o] of model.overrides)
    if (o.due !== undefined && o.due <= now) model.overrides.delete(path)
  for (const revision of [...model.probation.keys()].sort((x, y) => y - x)) {
    if (!healthy) revert(model, revision)
    else if (model.probation.get(revision)!.due <= now) model.probation.delete(revision)
  }
}

/** A revert puts `from` back where `to` still holds: the override goes where the base already gives it. */
function revert(model: Model, revision: number): void {
  const p = model.probation.get(revision)!
  model.probation.delete(revision)
  if (effective(model, p.path) !== p.to) return
  if (p.from === BASE[p.path]) model.overrides.delete(p.path)
  else model.overrides.set(p.path, { value: p.from, revision: 0 })
}

/** Lets every queued transaction, and the checks' pass with the ends it queues, settle. */
async function quiesce(store: ConfigStore<Config>): Promise<void> {
  for (let round = 0; round < 100; round++) {
    const before = store.revision
    await settle(3)
    await store.update({})
    await settle(3)
    if (store.revision === before) return
  }
  throw new Error('the store did not settle')
}

function verify(model: Model, real: Real): void {
  const { store } = real
  expectOverrides(store, model.overrides)
  expect(store.status().probation.map((p) => p.revision)).toEqual(
    [...model.probation.keys()].sort((x, y) => x - y),
  )
  // Nothing twice: each change is reverted at most once (history spans this start only; restarts check the rest).
  const reverted = store
    .history()
    .filter((h) => h.source === 'probation' && h.rollbackOf !== undefined)
    .map((h) => h.rollbackOf)
  expect(new Set(reverted).size).toBe(reverted.length)
}

class Write implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly path: Leaf,
    readonly value: number,
    readonly ttlMs: number | undefined,
    readonly forMs: number | undefined,
  ) {}
  check = () => true
  async run(model: Model, real: Real): Promise<void> {
    const { store, clocks } = real
    const now = clocks.timers.now()
    const from = effective(model, this.path)
    const result = await store.set(this.path, this.value, {
      ...(this.ttlMs === undefined ? {} : { ttlMs: this.ttlMs }),
      ...(this.forMs === undefined ? {} : { probation: { forMs: this.forMs } }),
    })
    // The value the override holds already: `unchanged`, unless a deadline comes with it (it is renewed).
    const renews = this.value === from && this.ttlMs !== undefined && model.overrides.has(this.path)
    if (this.value === from && !renews) expect(result.status).toBe('unchanged')
    else {
      expect(result.status).toBe('committed')
      const revision = store.revision
      const due = this.ttlMs === undefined ? {} : { due: now + this.ttlMs }
      model.overrides.set(this.path, { value: this.value, revision, ...due })
      // A commit that changes no value has nothing to revert: it goes on no probation.
      if (this.forMs !== undefined && this.value !== from)
        model.probation.set(revision, { due: now + this.forMs, path: this.path, from, to: this.value })
    }
    verify(model, real)
  }
  toString = () =>
    `set(${this.path}, ${this.value}${this.ttlMs === undefined ? '' : `, ttl ${this.ttlMs}`}${
      this.forMs === undefined ? '' : `, probation ${this.forMs}`
    })`
}

class Health implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ok: boolean) {}
  check = () => true
  async run(model: Model, real: Real): Promise<void> {
    real.health.ok = this.ok
    verify(model, real)
  }
  toString = () => `health(${this.ok})`
}

/** `confirm` or `revert` by hand of the `pick`-th change on probation, or of a revision that is not on probation. */
class End implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly end: 'confirm' | 'revert',
    readonly pick: number,
  ) {}
  check = () => true
  async run(model: Model, real: Real): Promise<void> {
    const revisions = [...model.probation.keys()]
    const revision = revisions[this.pick % (revisions.length + 1)]
    const result = await real.store[this.end](revision ?? real.store.revision + 7)
    if (revision === undefined) {
      expect(result).toMatchObject({ status: 'rejected', errors: [{ code: 'NOT_FOUND' }] })
    } else {
      expect(result.status).toBe('committed')
      if (this.end === 'revert') revert(model, revision)
      else model.probation.delete(revision)
    }
    verify(model, real)
  }
  toString = () => `${this.end}(#${this.pick})`
}

class Advance implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true
  async run(model: Model, real: Real): Promise<void> {
    for (let i = 0; i < this.ms; i++) {
      real.clocks.advance(1)
      await quiesce(real.store)
      step(model, real.clocks.timers.now(), real.health.ok)
      verify(model, real)
    }
  }
  toString = () => `advance(${this.ms})`
}

const ms = (max: number) => fc.option(fc.integer({ min: 1, max }), { nil: undefined, freq: 2 })
const write = fc
  .tuple(fc.constantFrom(...PATHS), fc.integer({ min: 0, max: 3 }), ms(20), ms(40))
  .map(([p, v, t, f]) => new Write(p, v, t, f))
const commands = fc.commands(
  [
    // Writes weigh three times as much: changes stacked on one path are where reverts can go wrong.
    write,
    write,
    write,
    fc.constantFrom(...PATHS).map((p) => new Reset(p, verify)),
    fc.boolean().map((ok) => new Health(ok)),
    fc
      .tuple(fc.constantFrom('confirm' as const, 'revert' as const), fc.nat(5))
      .map(([e, n]) => new End(e, n)),
    fc.integer({ min: 1, max: 12 }).map((n) => new Advance(n)),
    fc.integer({ min: 0, max: 25 }).map(
      (n) =>
        // What the start did before `createConfigStore` resolved: the overdue deadlines, then one pass of the checks.
        new Restart<Model, Real>(n, open, (model, real) => {
          step(model, real.clocks.timers.now(), real.health.ok)
          verify(model, real)
        }),
    ),
  ],
  { maxCommands: 30, size: 'max' },
)

describe('probation with expiring overrides, model-based (#20)', () => {
  test.prop([commands], { numRuns: 60 })(
    'the config is the base plus the overrides alive and not reverted; status lists exactly what is pending',
    async (cmds) => {
      const dir = await mkdtemp(join(tmpdir(), 'hotconf-probation-model-'))
      const base = { clocks: manualTimers(), file: join(dir, 'overrides.json'), health: { ok: true } }
      const real: Real = { ...base, store: await open(base) }
      try {
        await fc.asyncModelRun(() => ({ model: { overrides: new Map(), probation: new Map() }, real }), cmds)
      } finally {
        await real.store.close()
        await rm(dir, { recursive: true, force: true })
      }
    },
    120_000,
  )
})
