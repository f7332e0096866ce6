import { describe, expect, it } from 'vitest'
import { createActor } from 'xstate'
import { NO_EXPIRIES } from '../../src/expiries.ts'
import type { LayerState } from '../../src/layers.ts'
import type {
  Applied,
  Committed,
  Intent,
  PersistedLayer,
  TransactionEffects,
  Txn,
  Validated,
} from '../../src/machines/transaction.ts'
import { transactionLogic } from '../../src/machines/transaction-logic.ts'
import { transactionMachine } from '../../src/machines/transaction-machine.ts'
import type { UpdateResult } from '../../src/types.ts'

type Config = { readonly n: number }

/** What a stub `prepare` makes of a `set` whose value names the outcome wanted. */
type Verdict = 'ready' | 'apply' | 'rejected' | 'unchanged'

const layers: LayerState = {
  defaults: {},
  initial: {},
  sources: [],
  overrides: {},
  parked: {},
  expiries: NO_EXPIRIES,
  probation: {},
}
const first: Committed<Config> = {
  config: { n: 0 },
  revision: 1,
  layers,
  at: new Date(0),
  pendingRestart: [],
}

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** Stub effects that record what the machine asks of them; reads and applies wait until a test lets them go. */
function stubs(options: { backend?: boolean } = {}) {
  const log: string[] = []
  const results = new Map<number, UpdateResult>()
  const applies: ReturnType<typeof deferred<Applied>>[] = []
  const sourceReads: ReturnType<typeof deferred<never[]>>[] = []
  const backendReads: ReturnType<typeof deferred<PersistedLayer>>[] = []
  let nextId = 100
  const effects: TransactionEffects<Config> = {
    prepare(live, txn): Validated<Config> {
      if (txn.intent.kind === 'reload' && 'failed' in txn.intent)
        return { kind: 'rejected', errors: txn.intent.failed }
      const verdict: Verdict = txn.intent.kind === 'set' ? (txn.intent.value as Verdict) : 'ready'
      if (verdict === 'rejected')
        return { kind: 'rejected', errors: [{ code: 'INVALID', path: '', message: 'no' }] }
      if (verdict === 'unchanged') return { kind: 'unchanged' }
      const config = { n: live.config.n + 1 }
      const change = { path: 'n', from: live.config.n, to: config.n }
      return {
        kind: 'ready',
        prepared: { config, layers, changes: [change], pendingRestart: [], persist: verdict === 'apply' },
      }
    },
    needsApply: (prepared) => prepared.persist,
    apply() {
      const applied = deferred<Applied>()
      applies.push(applied)
      return applied.promise
    },
    refreshed: () => log.push('refreshed'),
    commit: (live, prepared) => ({ ...live, config: prepared.config, revision: live.revision + 1 }),
    publish: (txn, committed) => log.push(`publish ${txn.id}@${committed.revision}`),
    settle(txn, result) {
      log.push(`settle ${txn.id} ${result.status}`)
      results.set(txn.id, result)
      for (const waiter of txn.waiters) waiter(result)
    },
    phase: (txn, phase) => log.push(`${phase} ${txn.id}`),
    readSources() {
      const read = deferred<never[]>()
      sourceReads.push(read)
      return read.promise
    },
    ...(options.backend
      ? {
          readOverrides() {
            const read = deferred<PersistedLayer>()
            backendReads.push(read)
            return read.promise
          },
        }
      : {}),
    admit: (request, intent) => txnOf(nextId++, intent, request.waiters),
  }
  // The effects are handed to the definition the way the store does it: `provide`.
  const actor = createActor(transactionMachine(first).provide(transactionLogic(effects)))
  actor.start()
  return { actor, log, results, applies, sourceReads, backendReads }
}

function txnOf(id: number, intent: Intent, waiters: Txn['waiters'] = []): Txn {
  return { id, intent, meta: { source: 'test' }, startedAt: 0, waiters }
}

const set = (id: number, verdict: Verdict) => txnOf(id, { kind: 'set', path: 'n', value: verdict })

/** Lets every pending promise callback (and the actor's reaction to it) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('transaction machine (stub effects)', () => {
  it('commits the ready transactions of one event in one pass, each with its own revision (group commit)', () => {
    const { actor, log, results } = stubs()
    actor.send({ type: 'config.set', txns: [set(1, 'ready'), set(2, 'ready'), set(3, 'ready')] })
    expect(log).toEqual([
      'validating 1',
      'validating 2',
      'validating 3',
      'applying 1',
      'applying 2',
      'applying 3',
      'notifying 1',
      'notifying 2',
      'notifying 3',
      'publish 1@2',
      'publish 2@3',
      'publish 3@4',
      'settle 1 committed',
      'settle 2 committed',
      'settle 3 committed',
    ])
    expect([1, 2, 3].map((id) => results.get(id)?.revision)).toEqual([2, 3, 4])
    expect(actor.getSnapshot().matches({ pipeline: { idle: 'committed' } })).toBe(true)
    expect(actor.getSnapshot().context.live.revision).toBe(4)
  })

  it('gives a transaction that needs applying a pass of its own, and the next ones the pass after', async () => {
    const { actor, log, applies } = stubs()
    actor.send({ type: 'config.set', txns: [set(1, 'apply'), set(2, 'ready'), set(3, 'ready')] })
    expect(actor.getSnapshot().matches({ pipeline: 'applying' })).toBe(true)
    applies[0]!.resolve({ ok: true })
    await settle()
    expect(log.filter((line) => line.startsWith('settle'))).toEqual([
      'settle 1 committed',
      'settle 2 committed',
      'settle 3 committed',
    ])
    expect(log.indexOf('validating 2')).toBeGreaterThan(log.indexOf('settle 1 committed'))
  })

  it.each([
    ['rejected', 'rejected'],
    ['unchanged', 'unchanged'],
    ['ready', 'committed'],
  ] as const)('a %s candidate settles in idle.%s', (verdict, outcome) => {
    const { actor, results } = stubs()
    actor.send({ type: 'config.set', txns: [set(1, verdict)] })
    expect(actor.getSnapshot().matches({ pipeline: { idle: outcome } })).toBe(true)
    expect(results.get(1)?.status).toBe(outcome)
    expect(actor.getSnapshot().context.live.revision).toBe(outcome === 'committed' ? 2 : 1)
  })

  it('rolls back in idle.rolledBack when applying refuses or throws, and the live state stays', async () => {
    const { actor, results, applies } = stubs()
    actor.send({ type: 'config.set', txns: [set(1, 'apply'), set(2, 'apply')] })
    applies[0]!.resolve({ ok: false, errors: [{ code: 'PARTICIPANT_FAILED', path: 'n', message: 'veto' }] })
    await settle()
    expect(results.get(1)).toMatchObject({ status: 'rolledBack', revision: 1 })
    applies[1]!.reject(new Error('participant run crashed'))
    await settle()
    expect(results.get(2)).toMatchObject({
      status: 'rolledBack',
      errors: [{ message: 'participant run crashed' }],
    })
    expect(actor.getSnapshot().matches({ pipeline: { idle: 'rolledBack' } })).toBe(true)
    expect(actor.getSnapshot().context.live.revision).toBe(1)
  })

  it('coalesces reloads asked for during a read into one more read, not one each', async () => {
    const { actor, sourceReads, results } = stubs()
    const answers: UpdateResult[] = []
    const request = () => ({ meta: undefined, startedAt: 0, waiters: [(r: UpdateResult) => answers.push(r)] })
    actor.send({ type: 'reload.request', request: request() })
    for (let i = 0; i < 5; i++) actor.send({ type: 'reload.request', request: request() })
    expect(sourceReads).toHaveLength(1)
    sourceReads[0]!.resolve([])
    await settle()
    // The first read's reload is queued, and the five that waited share the second read.
    expect(sourceReads).toHaveLength(2)
    expect(answers).toHaveLength(1)
    sourceReads[1]!.resolve([])
    await settle()
    expect(sourceReads).toHaveLength(2)
    expect(answers).toHaveLength(6)
    expect([...results.keys()]).toEqual([100, 101])
    expect(actor.getSnapshot().matches({ loader: 'waiting' })).toBe(true)
  })

  it('rejects a reload whose read failed, and reads again for the next one', async () => {
    const { actor, sourceReads, results } = stubs()
    const request = { meta: undefined, startedAt: 0, waiters: [] }
    actor.send({ type: 'reload.request', request })
    sourceReads[0]!.reject(new Error('disk gone'))
    await settle()
    expect(results.get(100)).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'SOURCE_FAILED', message: 'disk gone' }],
    })
    actor.send({ type: 'reload.request', request })
    expect(sourceReads).toHaveLength(2)
  })

  it('holds new transactions while the backend is read, after the ones already queued have settled', async () => {
    const { actor, log, applies, sourceReads, backendReads } = stubs({ backend: true })
    actor.send({ type: 'config.set', txns: [set(1, 'apply')] })
    actor.send({ type: 'reload.request', request: { meta: undefined, startedAt: 0, waiters: [] } })
    sourceReads[0]!.resolve([])
    await settle()
    // Transaction 1 is still applying: the backend is not read under it.
    expect(actor.getSnapshot().matches({ loader: 'draining' })).toBe(true)
    expect(backendReads).toHaveLength(0)
    actor.send({ type: 'config.set', txns: [set(2, 'ready')] })
    expect(actor.getSnapshot().context.held?.map((t) => t.id)).toEqual([2])
    applies[0]!.resolve({ ok: true })
    await settle()
    expect(backendReads).toHaveLength(1)
    expect(log).not.toContain('validating 2')
    backendReads[0]!.resolve({ overrides: {}, expiries: NO_EXPIRIES, probation: {} })
    await settle()
    expect(log.filter((line) => line.startsWith('settle'))).toEqual([
      'settle 1 committed',
      'settle 100 committed',
      'settle 2 committed',
    ])
    expect(actor.getSnapshot().context.held).toBeUndefined()
  })

  it('refuses to run without effects: the definition alone never runs a transaction', () => {
    const actor = createActor(transactionMachine(first))
    const errors: unknown[] = []
    actor.subscribe({ error: (error) => errors.push(error) })
    actor.start()
    actor.send({ type: 'config.set', txns: [set(1, 'ready')] })
    expect(String(errors[0])).toMatch(/prepare effect was not provided/)
  })
})
