import { setup } from 'xstate'
import type {
  Committed,
  ReloadRequest,
  TransactionContext,
  TransactionEffects,
  TransactionEvent,
  Txn,
} from './transaction.ts'
import { initialContext, transactionLogic } from './transaction-logic.ts'

/**
 * The transaction machine, with its effects provided. Two regions:
 *
 * - `pipeline`: idle → validating → applying → notifying → committed | rolledBack → idle, plus rejected and
 *   unchanged. Transactions queue in the context (FIFO). `applying` (and its actor) is entered only when there are
 *   participants to ask or overrides to persist; otherwise validating goes straight to notifying, and queued
 *   transactions that are likewise ready share the pass (group commit), each with its own revision and result.
 * - `loader`: a reload's reads. The sources are read while the pipeline goes on; with an overrides backend, new
 *   transactions are then held, the pipeline drains, the backend is read, and the reload is queued ahead of what
 *   was held, so nothing slips between the read and its use. Reloads asked for during a read share one more read.
 */
export function createTransactionMachine<TConfig>(
  live: Committed<TConfig>,
  effects: TransactionEffects<TConfig>,
) {
  return transactionMachine<TConfig>(live).provide(transactionLogic(effects))
}

/** The machine's definition, its effects not provided (each throws until `provide` replaces it). */
export function transactionMachine<TConfig>(live: Committed<TConfig>) {
  return setup({
    types: {
      context: {} as TransactionContext<TConfig>,
      events: {} as TransactionEvent,
    },
    ...transactionLogic<TConfig>(notProvided),
  }).createMachine({
    id: 'hotconf',
    context: initialContext(live),
    type: 'parallel',
    states: {
      pipeline: {
        initial: 'idle',
        on: { 'config.*': { actions: 'enqueue' } },
        states: {
          // Between transactions the pipeline rests in idle, in the substate that says how the last one ended;
          // the outcome states are where each transaction settles. Taking the event straight from idle to
          // validating (and resting in the outcome instead of passing through it) keeps a transaction to three
          // microsteps: xstate's cost is per microstep, and it was most of an update's time.
          idle: {
            initial: 'ready',
            on: {
              'config.*': [
                { guard: 'isHolding', actions: 'enqueue' },
                {
                  target: 'validating',
                  actions: 'take',
                  description: 'config.update / set / reload / reset / rollback / import',
                },
              ],
            },
            always: {
              guard: 'hasQueued',
              target: 'validating',
              actions: 'dequeue',
              description: 'next queued',
            },
            states: {
              ready: {},
              committed: { entry: { type: 'settle', params: { status: 'committed' } } },
              rolledBack: { entry: { type: 'settle', params: { status: 'rolledBack' } } },
              rejected: { entry: { type: 'settle', params: { status: 'rejected' } } },
              unchanged: { entry: { type: 'settle', params: { status: 'unchanged' } } },
            },
          },
          validating: {
            entry: { type: 'phase', params: { phase: 'validating' } },
            always: [
              {
                guard: 'isRejected',
                target: 'idle.rejected',
                description: 'schema, restart key, stale revision',
              },
              {
                guard: 'isUnchanged',
                target: 'idle.unchanged',
                actions: ['refresh', 'refreshed'],
                description: 'nothing differs',
              },
              // Nothing to ask, nothing to persist: skip the actor (its spawn costs more than the whole update) and
              // notify in passing, one microstep instead of two, but still report both steps so the lifecycle on
              // events$ reads the same.
              {
                guard: 'nothingToApply',
                target: 'idle.committed',
                actions: [{ type: 'phase', params: { phase: 'applying' } }, ...notify],
                description: 'nothing to apply: notify',
              },
              { target: 'applying', description: 'participants to ask or overrides to persist' },
            ],
          },
          applying: {
            entry: { type: 'phase', params: { phase: 'applying' } },
            invoke: {
              src: 'apply',
              input: ({ context }) => applyInput(context),
              onDone: [
                {
                  guard: { type: 'refused', params: ({ event }) => ({ applied: event.output }) },
                  target: 'idle.rolledBack',
                  description: 'veto, timeout, persist failure',
                  actions: {
                    type: 'fail',
                    params: ({ event }) => ({ errors: event.output.ok ? [] : event.output.errors }),
                  },
                },
                {
                  target: 'notifying',
                  description: 'accepted and persisted',
                  actions: {
                    type: 'stampVersion',
                    params: ({ event }) => ({
                      version: event.output.ok ? event.output.persistedVersion : undefined,
                    }),
                  },
                },
              ],
              onError: {
                target: 'idle.rolledBack',
                description: 'applying crashed',
                actions: { type: 'failOnCrash', params: ({ event }) => ({ error: event.error }) },
              },
            },
          },
          notifying: {
            entry: notify,
            always: {
              target: 'idle.committed',
              description: 'swap current, revision + 1, history, streams',
            },
          },
        },
      },
      loader: {
        initial: 'waiting',
        on: { 'reload.request': { actions: 'coalesceReload' } },
        states: {
          waiting: {
            on: {
              'reload.request': { target: 'readingSources', actions: 'startReload', description: 'reload()' },
            },
          },
          readingSources: {
            invoke: {
              src: 'readSources',
              input: ({ context }) => context.reading?.contents,
              onDone: [
                {
                  guard: 'readsBackend',
                  target: 'draining',
                  description: 'sources read, the overrides backend next',
                  actions: { type: 'keepSources', params: ({ event }) => ({ sources: event.output }) },
                },
                {
                  target: 'queued',
                  description: 'sources read',
                  actions: { type: 'queueReload', params: ({ event }) => ({ sources: event.output }) },
                },
              ],
              onError: {
                target: 'queued',
                description: 'a read failed (the reload is rejected)',
                actions: { type: 'queueFailedReload', params: ({ event }) => ({ error: event.error }) },
              },
            },
          },
          // The backend may be shared with other instances: read it in transaction order.
          draining: {
            entry: 'hold',
            always: {
              guard: 'drained',
              target: 'readingOverrides',
              description: 'the pipeline is idle with nothing queued',
            },
          },
          readingOverrides: {
            invoke: {
              src: 'readOverrides',
              onDone: {
                target: 'queued',
                description: 'overrides read',
                actions: {
                  type: 'queueReload',
                  params: ({ context, event }) => ({ sources: context.loaded, overrides: event.output }),
                },
              },
              onError: {
                target: 'queued',
                description: 'a read failed (the reload is rejected)',
                actions: { type: 'queueFailedReload', params: ({ event }) => ({ error: event.error }) },
              },
            },
          },
          // The reload is queued (ahead of what was held); reloads asked for meanwhile share one more read.
          queued: {
            always: [
              {
                guard: 'hasNextReload',
                target: 'readingSources',
                actions: 'startNextReload',
                description: 'reloads asked for during the read',
              },
              { target: 'waiting' },
            ],
          },
        },
      },
    },
  })
}

/** The transaction machine's type, for actors and tests. */
export type TransactionMachine<TConfig> = ReturnType<typeof createTransactionMachine<TConfig>>

// --- internal ---

/** Notifying's work: swap in the commit, report the phase, publish to history and the streams. */
const notify = ['commit', { type: 'phase', params: { phase: 'notifying' } }, 'publish'] as const

function applyInput<TConfig>(context: TransactionContext<TConfig>) {
  const step = context.batch[0]!
  if (step.validated.kind !== 'ready') throw new Error('hotconf: applying a transaction that is not ready')
  return { live: context.live, txn: step.txn, prepared: step.validated.prepared }
}

const missing = (name: string) => () => {
  throw new Error(`hotconf: the transaction machine's ${name} effect was not provided`)
}

/** Stands in for the effects until `provide` replaces them: the definition alone must never run a transaction. */
const notProvided: TransactionEffects<never> = {
  prepare: missing('prepare'),
  needsApply: missing('needsApply'),
  apply: missing('apply'),
  refreshed: missing('refreshed'),
  commit: missing('commit'),
  publish: missing('publish'),
  settle: missing('settle'),
  phase: missing('phase'),
  readSources: missing('readSources'),
  readOverrides: missing('readOverrides'),
  admit: missing('admit') as (request: ReloadRequest) => Txn,
}
