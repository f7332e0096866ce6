import { assign, fromPromise, setup } from 'xstate'
import type { ConfigIssue, TransactionPhase, UpdateResult } from '../types.ts'
import type { Applied, Committed, Prepared, Txn, Validated } from './transaction.ts'

/** The work the machine delegates; each piece named, so tests can swap them. */
export interface TransactionEffects<TConfig> {
  /** validating: build and check the candidate from the live state. Pure and synchronous. */
  prepare(live: Committed<TConfig>, txn: Txn): Validated<TConfig>
  /** True when the candidate has participants to ask or overrides to persist. */
  needsApply(prepared: Prepared<TConfig>): boolean
  /** applying: participants, then persistence; compensates itself on failure. */
  apply(live: Committed<TConfig>, txn: Txn, prepared: Prepared<TConfig>): Promise<Applied>
  /** The next committed state (revision + 1). Pure. */
  commit(live: Committed<TConfig>, prepared: Prepared<TConfig>): Committed<TConfig>
  /** notifying: tell readers and streams about the new committed state. */
  publish(txn: Txn, committed: Committed<TConfig>, prepared: Prepared<TConfig>): void
  /** Resolve every waiter, record the outcome and report the final lifecycle step. */
  settle(txn: Txn, result: UpdateResult): void
  /** Report a lifecycle step on `events$`. */
  phase(txn: Txn, phase: TransactionPhase, revision: number): void
}

/** Every event the machine takes: namespaced, each carrying its transaction. */
export type TransactionEvent = {
  readonly type: `config.${'update' | 'reload' | 'reset' | 'rollback' | 'import'}`
  readonly txn: Txn
}

interface Context<TConfig> {
  /** The committed state: what readers see. Changed only in `notifying`. */
  readonly live: Committed<TConfig>
  readonly queue: readonly Txn[]
  readonly txn: Txn | undefined
  readonly validated: Validated<TConfig> | undefined
  readonly errors: readonly ConfigIssue[]
}

/**
 * The transaction machine: idle → validating → applying → notifying → committed | rolledBack → idle, plus
 * rejected and unchanged. Events queue in the context (FIFO). `applying` (and its actor) is entered only when there
 * are participants to ask or overrides to persist; otherwise validating goes straight to notifying.
 */
export function createTransactionMachine<TConfig>(
  effects: TransactionEffects<TConfig>,
  live: Committed<TConfig>,
) {
  const ready = (v: Validated<TConfig> | undefined) => (v?.kind === 'ready' ? v.prepared : undefined)
  return setup({
    types: {
      context: {} as Context<TConfig>,
      events: {} as TransactionEvent,
    },
    actors: {
      apply: fromPromise<Applied, { live: Committed<TConfig>; txn: Txn; prepared: Prepared<TConfig> }>(
        ({ input }) => effects.apply(input.live, input.txn, input.prepared),
      ),
    },
    actions: {
      enqueue: assign({ queue: ({ context, event }) => [...context.queue, event.txn] }),
      dequeue: assign(({ context }) => {
        const txn = context.queue[0]!
        const validated = effects.prepare(context.live, txn)
        return {
          txn,
          queue: context.queue.slice(1),
          validated,
          errors: validated.kind === 'rejected' ? validated.errors : [],
        }
      }),
      phase: ({ context }, params: { phase: TransactionPhase }) =>
        effects.phase(context.txn!, params.phase, context.live.revision),
      commit: assign({ live: ({ context }) => effects.commit(context.live, ready(context.validated)!) }),
      publish: ({ context }) => effects.publish(context.txn!, context.live, ready(context.validated)!),
      settle: ({ context }, params: { status: UpdateResult['status'] }) =>
        effects.settle(context.txn!, resultOf(params.status, context)),
    },
    guards: {
      hasQueued: ({ context }) => context.queue.length > 0,
      isRejected: ({ context }) => context.validated?.kind === 'rejected',
      isUnchanged: ({ context }) => context.validated?.kind === 'unchanged',
      nothingToApply: ({ context }) => !effects.needsApply(ready(context.validated)!),
    },
  }).createMachine({
    id: 'hotconf',
    context: { live, queue: [], txn: undefined, validated: undefined, errors: [] },
    initial: 'idle',
    on: { 'config.*': { actions: 'enqueue' } },
    states: {
      idle: {
        always: { guard: 'hasQueued', target: 'validating', actions: 'dequeue' },
      },
      validating: {
        entry: { type: 'phase', params: { phase: 'validating' } },
        always: [
          { guard: 'isRejected', target: 'rejected' },
          { guard: 'isUnchanged', target: 'unchanged' },
          // Nothing to ask, nothing to persist: skip the actor (its spawn costs more than the whole update),
          // but still report the step so the lifecycle on events$ reads the same.
          {
            guard: 'nothingToApply',
            target: 'notifying',
            actions: { type: 'phase', params: { phase: 'applying' } },
          },
          { target: 'applying' },
        ],
      },
      applying: {
        entry: { type: 'phase', params: { phase: 'applying' } },
        invoke: {
          src: 'apply',
          input: ({ context }) => ({
            live: context.live,
            txn: context.txn!,
            prepared: ready(context.validated)!,
          }),
          onDone: [
            {
              guard: ({ event }) => !event.output.ok,
              target: 'rolledBack',
              actions: assign({ errors: ({ event }) => (event.output.ok ? [] : event.output.errors) }),
            },
            {
              target: 'notifying',
              actions: assign({
                validated: ({ context, event }) => {
                  const prepared = ready(context.validated)!
                  const version = event.output.ok ? event.output.persistedVersion : undefined
                  return version === undefined
                    ? context.validated
                    : { kind: 'ready', prepared: { ...prepared, persistedVersion: version } }
                },
              }),
            },
          ],
          onError: {
            target: 'rolledBack',
            actions: assign({ errors: ({ event }) => [internalIssue(event.error)] }),
          },
        },
      },
      notifying: {
        entry: ['commit', { type: 'phase', params: { phase: 'notifying' } }, 'publish'],
        always: 'committed',
      },
      committed: { entry: { type: 'settle', params: { status: 'committed' } }, always: 'idle' },
      rolledBack: { entry: { type: 'settle', params: { status: 'rolledBack' } }, always: 'idle' },
      rejected: { entry: { type: 'settle', params: { status: 'rejected' } }, always: 'idle' },
      unchanged: { entry: { type: 'settle', params: { status: 'unchanged' } }, always: 'idle' },
    },
  })
}

// --- internal ---

function resultOf<TConfig>(status: UpdateResult['status'], context: Context<TConfig>): UpdateResult {
  const revision = context.live.revision
  if (status === 'unchanged') return { status, revision }
  if (status !== 'committed') return { status, errors: context.errors, revision }
  const prepared = context.validated?.kind === 'ready' ? context.validated.prepared : undefined
  return {
    status,
    revision,
    changes: prepared?.changes ?? [],
    ...(context.live.pendingRestart.length > 0 ? { pendingRestart: context.live.pendingRestart } : {}),
  }
}

function internalIssue(error: unknown): ConfigIssue {
  return { code: 'SOURCE_FAILED', path: '', message: error instanceof Error ? error.message : String(error) }
}
