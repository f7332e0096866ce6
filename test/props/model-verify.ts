import { isDeepStrictEqual } from 'node:util'
import { expect } from 'vitest'
import type { ChangeSet, ConfigStore, Logger, UpdateResult } from '../../src/index.ts'
import {
  diffConfigs,
  isDeepFrozen,
  isObject,
  issueKeys,
  join,
  type ModelConfig,
  overlaps,
  sortChanges,
} from './model-config.ts'
import type { Call, Expected, Model } from './model-decide.ts'

/** The store under test and everything its readers have seen. */
export interface Real {
  readonly store: ConfigStore<ModelConfig>
  /** Every config `config$` delivered, with the revision the store reported while delivering it. */
  readonly seen: { readonly config: ModelConfig; readonly revision: number }[]
  readonly changeSets: ChangeSet[]
  /** What each `select()` delivered, by branch. */
  readonly selected: Map<string, unknown[]>
  /** Participant calls, and whether `current` still held the live config during each. */
  readonly calls: (Call & { readonly sawLive: boolean })[]
  /** Lifecycle phases on `events$`, by transaction id, and final phases in the order they arrived. */
  readonly phases: Map<number, string[]>
  readonly finals: string[]
  events: number
  /** What the store logged at error level: nothing in these runs should be an error. */
  readonly errors: string[]
}

/** Branches watched with `select()`: by path, and one by selector function. */
const BRANCHES = ['server', 'pool', 'log', 'log.sink', 'features', 'features.tags', 'features.flags']
const FINAL = new Set(['committed', 'rejected', 'unchanged', 'rolledBack'])
const LIFECYCLE: Record<string, string[]> = {
  rejected: ['started', 'validating', 'rejected'],
  unchanged: ['started', 'validating', 'unchanged'],
  rolledBack: ['started', 'validating', 'applying', 'rolledBack'],
  committed: ['started', 'validating', 'applying', 'notifying', 'committed'],
}

/** Subscribes to every stream of the store and records what arrives. */
export function watch(store: ConfigStore<ModelConfig>, errors: string[]): Real {
  const real: Real = {
    store,
    seen: [],
    changeSets: [],
    selected: new Map(),
    calls: [],
    phases: new Map(),
    finals: [],
    events: 0,
    errors,
  }
  store.config$.subscribe((config) =>
    real.seen.push({ config: config as ModelConfig, revision: store.revision }),
  )
  store.changes$.subscribe((c) => real.changeSets.push(c))
  for (const branch of BRANCHES) {
    const got: unknown[] = []
    real.selected.set(branch, got)
    store.select(branch as never).subscribe((v) => got.push(v))
  }
  const byFunction: unknown[] = []
  real.selected.set('fn:pool', byFunction)
  store.select((c) => c.pool).subscribe((v) => byFunction.push(v))
  store.events$.subscribe((e) => {
    real.events++
    if (e.type !== 'transaction') return
    const list = real.phases.get(e.id) ?? []
    real.phases.set(e.id, [...list, e.phase])
    if (FINAL.has(e.phase)) real.finals.push(e.phase)
  })
  return real
}

/** One write's result against the model's expectation. */
export function expectOutcome(got: UpdateResult, want: Expected): void {
  const shown = { status: got.status, revision: got.revision }
  expect(shown, JSON.stringify(got)).toEqual({ status: want.status, revision: want.revision })
  if (got.status === 'committed' && want.status === 'committed') {
    expect(sortChanges(got.changes)).toEqual(want.changes)
  }
  if (got.status === 'rejected' && want.status === 'rejected') {
    expect(issueKeys(got.errors)).toEqual(want.issues)
  }
  if (got.status === 'rolledBack' && want.status === 'rolledBack') {
    expect(got.errors.map((e) => e.code)).toEqual([want.code])
    expect(want.changes.map((c) => c.path)).toContain(got.errors[0]!.path)
  }
}

/** Everything that must hold after every command. */
export function verify(model: Model, real: Real): void {
  const { store } = real
  const commits = model.commits
  const revision = commits.length
  const configs = commits.map((c) => c.config)
  expect(store.revision).toBe(revision)
  expect(store.current).toEqual(configs[revision - 1])
  expect(store.get('pool.max')).toBe(configs[revision - 1]!.pool.max)
  expect(isDeepFrozen(store.current)).toBe(true)

  // Readers saw exactly the committed configs, in order, each once the swap had happened.
  expect(real.seen.map((s) => s.config)).toEqual(configs)
  expect(real.seen.map((s) => s.revision)).toEqual(configs.map((_, i) => i + 1))
  expect(real.seen[revision - 1]!.config).toBe(store.current)
  for (const { config } of real.seen) expect(isDeepFrozen(config)).toBe(true)
  // Untouched subtrees keep their identity, so select() of an untouched branch does not emit.
  for (let i = 1; i < real.seen.length; i++) {
    const copied = sharedButCopied(real.seen[i - 1]!.config, real.seen[i]!.config)
    const touched = commits[i]!.touched
    const unexcused = copied.filter((p) => !touched.some((t) => overlaps(p, t)))
    expect(unexcused, `equal subtrees copied by revision ${i + 1}`).toEqual([])
  }
  for (const [branch, got] of real.selected) {
    const path = branch.startsWith('fn:') ? branch.slice(3) : branch
    const slices = real.seen.map((s) => at(s.config, path))
    const distinct = slices.filter((v, i) => i === 0 || v !== slices[i - 1])
    expect(got, `select(${branch})`).toHaveLength(distinct.length)
    expect(got.every((v, i) => v === distinct[i])).toBe(true)
  }

  // One change set and one history entry per commit, with who and why.
  expect(real.changeSets.map((c) => c.revision)).toEqual(configs.slice(1).map((_, i) => i + 2))
  real.changeSets.forEach((c, i) => {
    const commit = commits[i + 1]!
    expect(sortChanges(c.changes)).toEqual(diffConfigs(configs[i], configs[i + 1]))
    expect({ source: c.source, actor: c.actor }).toEqual({ source: commit.source, actor: commit.actor })
  })
  const history = store.history()
  expect(history.map((h) => h.revision)).toEqual(
    Array.from({ length: Math.min(model.limit, revision - 1) }, (_, i) => revision - i),
  )
  for (const entry of history) {
    expect(entry).toEqual(real.changeSets[entry.revision - 2])
    expect(entry.rollbackOf).toBe(commits[entry.revision - 1]!.rollbackOf)
  }
  expect(store.history({ limit: 2 })).toEqual(history.slice(0, 2))

  // Participants were asked exactly what the model says, while readers still saw the live config.
  expect(real.calls.map(({ sawLive, ...call }) => call)).toEqual(model.calls)
  expect(real.calls.every((c) => c.sawLive)).toBe(true)

  // events$: every transaction went through its whole lifecycle, and they settled in FIFO order.
  expect(real.finals).toEqual(model.outcomes)
  for (const phases of real.phases.values()) {
    const final = phases[phases.length - 1]!
    if (FINAL.has(final)) expect(phases).toEqual(LIFECYCLE[final])
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  expect(real.errors).toEqual([])
}

/** A logger that keeps quiet (rejections are expected here) but remembers errors. */
export function quietLogger(errors: string[]): Logger {
  return { debug() {}, info() {}, warn() {}, error: (msg) => void errors.push(msg) }
}

// --- internal ---

function at(config: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config)
}

/** Paths of subtrees that are deep-equal across a commit but were copied anyway (structural sharing broken). */
function sharedButCopied(a: unknown, b: unknown, path = ''): string[] {
  if (a === b || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return []
  if (isDeepStrictEqual(a, b)) return [path || '(root)']
  if (!isObject(a) || !isObject(b)) return []
  return Object.keys(b).flatMap((key) => sharedButCopied(a[key], b[key], join(path, key)))
}
