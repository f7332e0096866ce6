import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { type ConfigStore, createConfigStore, type UpdateResult } from '../../src/index.ts'
import { type AppConfig, appSchema } from '../fixtures/schemas.ts'

type Config = AppConfig
type Change =
  | { kind: 'patch'; patch: Record<string, unknown> }
  | { kind: 'set'; path: string; value: unknown }

/** The model: the configs committed so far, judged by zod's whole-tree parse (not the store's incremental one). */
interface Model {
  configs: Config[]
  veto: 'none' | 'throw' | 'hang'
}

interface Real {
  store: ConfigStore<Config>
  seen: Config[]
  changeSets: number
}

const clone = <T>(v: T): T => structuredClone(v)
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function applyChange(config: Config, change: Change): Record<string, unknown> {
  const next = clone(config) as unknown as Record<string, unknown>
  if (change.kind === 'set') {
    const keys = change.path.split('.')
    let node = next
    for (const k of keys.slice(0, -1)) {
      node[k] ??= {}
      node = node[k] as Record<string, unknown>
    }
    node[keys[keys.length - 1]!] = clone(change.value)
    return next
  }
  const merge = (base: Record<string, unknown>, patch: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(patch)) {
      if (isObj(v) && Object.hasOwn(base, k) && isObj(base[k])) merge(base[k] as Record<string, unknown>, v)
      else base[k] = clone(v)
    }
  }
  merge(next, change.patch)
  return next
}

/** What the store must answer: rejected (schema or restart key), unchanged, rolled back (veto) or committed. */
function expected(model: Model, change: Change): { status: UpdateResult['status']; config?: Config } {
  const live = model.configs[model.configs.length - 1]!
  if (change.kind === 'patch' && Object.hasOwn(change.patch, '__proto__')) return { status: 'rejected' }
  const candidate = applyChange(live, change)
  const parsed = appSchema.strict().safeParse(candidate)
  const strictNested = JSON.stringify(candidate).includes('"bogus"')
  if (!parsed.success || strictNested) return { status: 'rejected' }
  if (JSON.stringify(sortKeys(parsed.data)) === JSON.stringify(sortKeys(live))) return { status: 'unchanged' }
  if (parsed.data.server.port !== live.server.port) return { status: 'rejected' }
  if (model.veto !== 'none') return { status: 'rolledBack' }
  return { status: 'committed', config: parsed.data }
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (!isObj(v)) return v
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => [k, sortKeys(v[k])]),
  )
}

function isDeepFrozen(v: unknown): boolean {
  return v === null || typeof v !== 'object' || (Object.isFrozen(v) && Object.values(v).every(isDeepFrozen))
}

function check(model: Model, real: Real): void {
  const live = model.configs[model.configs.length - 1]!
  expect(sortKeys(real.store.current)).toEqual(sortKeys(live))
  expect(real.store.revision).toBe(model.configs.length)
  expect(real.changeSets).toBe(model.configs.length - 1)
  expect(real.store.history().map((h) => h.revision)).toEqual(
    Array.from({ length: Math.min(model.configs.length - 1, 20) }, (_, i) => model.configs.length - i),
  )
  // Readers saw exactly the committed configs, in order: never a rejected or rolled-back candidate.
  expect(real.seen.map(sortKeys)).toEqual(model.configs.map(sortKeys))
  expect(isDeepFrozen(real.store.current)).toBe(true)
}

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constant('pool.max'),
    value: fc.integer({ min: -2, max: 30 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constant('pool.min'),
    value: fc.integer({ min: -2, max: 30 }),
  }),
  fc.record({
    kind: fc.constant('patch' as const),
    patch: fc.record({
      pool: fc.record({ min: fc.integer({ min: 0, max: 30 }), max: fc.integer({ min: 0, max: 30 }) }),
    }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constant('features.tags'),
    value: fc.array(fc.constantFrom('a', 'b'), { maxLength: 2 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constant('features.newUi'),
    value: fc.oneof(fc.boolean(), fc.constant('yes')),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constantFrom('limits.a', 'limits.b'),
    value: fc.integer({ min: -1, max: 5 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constant('server.port'),
    value: fc.constantFrom(8080, 9090),
  }),
  fc.record({ kind: fc.constant('patch' as const), patch: fc.constant({ pool: { bogus: 1 } }) }),
  // JSON.parse makes `__proto__` an own key, as a parsed request body would; a literal would set the prototype.
  fc.record({
    kind: fc.constant('patch' as const),
    patch: fc.constant(JSON.parse('{"__proto__": {"polluted": true}}')),
  }),
)

const steps = fc.array(
  fc.record({
    changes: fc.array(change, { minLength: 1, maxLength: 4 }),
    veto: fc.constantFrom<Model['veto']>('none', 'none', 'none', 'throw', 'hang'),
    recipe: fc.boolean(),
    rollbackBack: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    dryRun: fc.boolean(),
  }),
  { maxLength: 12 },
)

describe('the store against a model', () => {
  test.prop([steps], { numRuns: 40 })(
    'commits exactly what whole-tree validation accepts, in order, with one revision, change set and history entry each',
    async (plan) => {
      const store = await createConfigStore({ schema: appSchema, historyLimit: 20, participantTimeoutMs: 15 })
      const real: Real = { store, seen: [], changeSets: 0 }
      store.config$.subscribe((c) => real.seen.push(c as Config))
      store.changes$.subscribe(() => real.changeSets++)
      const model: Model = { configs: [clone(store.current) as unknown as Config], veto: 'none' }
      for (const step of plan) {
        model.veto = step.veto
        const off = store.participate((_next, _prev, txn) => {
          if (txn.compensating || step.veto === 'none') return
          if (step.veto === 'throw') throw new Error('veto')
          return new Promise<void>((resolve) => txn.signal.addEventListener('abort', () => resolve()))
        })
        if (step.dryRun) {
          const before = store.revision
          const dry = await store.validate(
            (step.changes[0]!.kind === 'patch' ? step.changes[0]!.patch : {}) as never,
          )
          expect(typeof dry.ok).toBe('boolean')
          expect(store.revision).toBe(before)
        }
        // Concurrent callers: every change of the step is submitted before any is awaited.
        const calls = step.changes.map((c) =>
          c.kind === 'set'
            ? store.set(c.path as never, c.value as never)
            : step.recipe
              ? store.update((draft) => {
                  const merge = (d: Record<string, unknown>, p: Record<string, unknown>) => {
                    for (const [k, v] of Object.entries(p)) {
                      if (isObj(v) && Object.hasOwn(d, k) && isObj(d[k]))
                        merge(d[k] as Record<string, unknown>, v)
                      else d[k] = clone(v)
                    }
                  }
                  merge(draft as unknown as Record<string, unknown>, c.patch)
                })
              : store.update(c.patch as never),
        )
        const results = await Promise.all(calls)
        step.changes.forEach((c, i) => {
          const want = expected(model, c)
          const got = results[i]!
          expect({ change: c, status: got.status }).toEqual({ change: c, status: want.status })
          if (want.status === 'committed') {
            model.configs.push(want.config!)
            expect(got.revision).toBe(model.configs.length)
          }
        })
        off()
        model.veto = 'none'
        if (step.rollbackBack !== undefined && model.configs.length > step.rollbackBack) {
          const target = model.configs.length - step.rollbackBack
          const result = await store.rollback(target)
          const wanted = model.configs[target - 1]!
          const same =
            JSON.stringify(sortKeys(wanted)) ===
            JSON.stringify(sortKeys(model.configs[model.configs.length - 1]))
          expect(result.status).toBe(same ? 'unchanged' : 'committed')
          if (!same) model.configs.push(clone(wanted))
        }
        check(model, real)
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      await store.close()
    },
  )
})
