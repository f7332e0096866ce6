import type { fc } from '@fast-check/vitest'
import { expect } from 'vitest'
import { z } from 'zod'
import { type ConfigStore, type ConfigStoreOptions, createConfigStore } from '../../src/index.ts'
import type { manualTimers } from '../support/manual-timers.ts'

/* What the model-based properties of runtime overrides share (expiry-model, probation-model): a small schema whose
   three leaves a lower layer sets or not, the model of one override, and the check that a store shows the model. */

export const schema = z.object({
  a: z.number().default(0),
  b: z.number().default(0),
  c: z.object({ d: z.number().default(0) }),
})
export type Config = z.output<typeof schema>
export const PATHS = ['a', 'b', 'c.d'] as const
export type Leaf = (typeof PATHS)[number]
/** The effective values without overrides: `a` comes from `initial` (see `openStore`), the rest from the defaults. */
export const BASE: Record<Leaf, number> = { a: 1, b: 0, 'c.d': 0 }

export interface Override {
  readonly value: number
  /** Monotonic due time, when the write had a deadline; the revision that set it. */
  readonly due?: number
  readonly revision: number
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} }

/** A store of the model's schema over `file`, on manual clocks, with `options` besides. */
export function openStore(
  real: { readonly file: string; readonly clocks: ReturnType<typeof manualTimers> },
  options: Partial<ConfigStoreOptions<typeof schema>> = {},
): Promise<ConfigStore<Config>> {
  return createConfigStore({
    schema,
    initial: { a: 1 },
    overrides: { file: real.file },
    timers: real.clocks.timers,
    clock: real.clocks.clock,
    logger: quiet,
    ...options,
  })
}

/** The store's config is the base plus the model's overrides, and `status().expiring` lists exactly their deadlines. */
export function expectOverrides(store: ConfigStore<Config>, overrides: ReadonlyMap<Leaf, Override>): void {
  const want = { ...BASE }
  for (const [path, o] of overrides) want[path] = o.value
  expect({ a: store.current.a, b: store.current.b, 'c.d': store.current.c.d }).toEqual(want)
  const deadlines = [...overrides]
    .filter(([, o]) => o.due !== undefined)
    .map(([path, o]) => `${path}@${o.revision}`)
    .sort()
  expect(
    store
      .status()
      .expiring.map((e) => `${e.path}@${e.revision}`)
      .sort(),
  ).toEqual(deadlines)
}

/** `reset(path)`: the override goes, and its deadline with it. */
export class Reset<
  M extends { readonly overrides: Map<Leaf, Override> },
  R extends { store: ConfigStore<Config> },
> implements fc.AsyncCommand<M, R>
{
  constructor(
    readonly path: Leaf,
    readonly verify: (model: M, real: R) => void,
  ) {}
  check = () => true
  async run(model: M, real: R): Promise<void> {
    await real.store.reset(this.path)
    model.overrides.delete(this.path)
    this.verify(model, real)
  }
  toString = () => `reset(${this.path})`
}

/**
 * A restart: the store closed (no timer left behind), time passing while it is down, the store opened again on the
 * same file; `started` brings the model to what the start did and checks it.
 */
export class Restart<
  M extends object,
  R extends { store: ConfigStore<Config>; readonly clocks: ReturnType<typeof manualTimers> },
> implements fc.AsyncCommand<M, R>
{
  constructor(
    readonly downMs: number,
    readonly reopen: (real: R) => Promise<ConfigStore<Config>>,
    readonly started: (model: M, real: R) => void,
  ) {}
  check = () => true
  async run(model: M, real: R): Promise<void> {
    await real.store.close()
    expect(real.clocks.pending).toBe(0)
    real.clocks.advance(this.downMs)
    real.store = await this.reopen(real)
    this.started(model, real)
  }
  toString = () => `restart(down ${this.downMs})`
}
