import { assign, fromPromise, setup } from 'xstate'
import { messageOf } from '../error-message.ts'
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
  /** An unchanged reload's fresh layers became the live ones (no revision): readers move to them. */
  refreshed(live: Committed<TConfig>): void
  /** The next committed state (revision + 1). Pure. */
  commit(live: Committed<TConfig>, prepared: Prepared<TConfig>): Committed<TConfig>
  /** notifying: tell readers and streams about the new committed state. */
  publish(txn: Txn, committed: Committed<TConfig>, prepared: Prepared<TConfig>): void
  /** Resolve every waiter, record the outcome and report the final lifecycle step. */
  settle(txn: Txn, result: UpdateResult): void
  /** Report a lifecycle step on `events$`. */
  phase(txn: Txn, phase: TransactionPhase, revision: number): void
}

/**
 * Every event the machine takes: namespaced by what it asks (`config.update`, `config.reload`, ...) and carrying
 * the transactions submitted in one tick; `config.batch` when they ask for different things.
 */
export type TransactionEvent = {
  readonly type: `config.${Txn['intent']['kind'] | 'batch'}`
  readonly txns: readonly Txn[]
}

/** One transaction of the current pass and what validating made of it. */
interface Step<TConfig> {
  readonly txn: Txn
  readonly validated: Validated<TConfig>
}

interface Context<TConfig> {
  /** The committed state: what readers see. Changed in `notifying`, and its layers alone by an unchanged reload. */
  readonly live: Committed<TConfig>
  readonly queue: readonly Txn[]
  /**
   * The transactions of this pass: one, or several ready ones that need no `applying` (group commit). Each is
   * validated against the state the previous one leaves, and keeps its own revision and result.
   */
  readonly batch: readonly Step<TConfig>[]
  /** The committed state after each step of the batch, set in `notifying`. */
  readonly commits: readonly Committed<TConfig>[]
  readonly errors: readonly ConfigIssue[]
}

/** Most transactions one pass may carry: bounds the latency a group adds to its first member. */
const MAX_BATCH = 64

/**
 * The transaction machine: idle → validating → applying → notifying → committed | rolledBack → idle, plus
 * rejected and unchanged. Events queue in the context (FIFO). `applying` (and its actor) is entered only when there
 * are participants to ask or overrides to persist; otherwise validating goes straight to notifying, and queued
 * transactions that are likewise ready share the pass (group commit), each with its own revision and result.
 */
export function createTransactionMachine<TConfig>(
  effects: TransactionEffects<TConfig>,
  live: Committed<TConfig>,
) {
  const ready = (v: Validated<TConfig> | undefined) => (v?.kind === 'ready' ? v.prepared : undefined)
  const head = (context: Context<TConfig>) => context.batch[0]!
  // Ready and with nothing to apply: may share a pass with the transactions queued behind it.
  const groupable = (v: Validated<TConfig>) => v.kind === 'ready' && !effects.needsApply(v.prepared)
  const takeBatch = (live: Committed<TConfig>, queue: readonly Txn[]) => {
    const first: Step<TConfig> = { txn: queue[0]!, validated: effects.prepare(live, queue[0]!) }
    const batch = [first]
    let state = live
    while (
      groupable(batch[batch.length - 1]!.validated) &&
      batch.length < queue.length &&
      batch.length < MAX_BATCH
    ) {
      state = effects.commit(state, ready(batch[batch.length - 1]!.validated)!)
      const txn = queue[batch.length]!
      // Only plain writes join behind the first: a rollback looks its target up in history, which learns of
      // this pass's earlier commits only in notifying.
      if (txn.intent.kind !== 'update' && txn.intent.kind !== 'set') break
      const validated = effects.prepare(state, txn)
      if (!groupable(validated)) break
      batch.push({ txn, validated })
    }
    return batch
  }
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
      enqueue: assign({ queue: ({ context, event }) => [...context.queue, ...event.txns] }),
      dequeue: assign(({ context }) => {
        const batch = takeBatch(context.live, context.queue)
        const validated = batch[0]!.validated
        return {
          batch,
          commits: [],
          queue: context.queue.slice(batch.length),
          errors: validated.kind === 'rejected' ? validated.errors : [],
        }
      }),
      phase: ({ context }, params: { phase: TransactionPhase }) => {
        for (const step of context.batch) effects.phase(step.txn, params.phase, context.live.revision)
      },
      refresh: assign(({ context }) => {
        const validated = head(context).validated
        if (validated.kind !== 'unchanged' || !validated.layers) return {}
        return { live: { ...context.live, layers: validated.layers } }
      }),
      refreshed: ({ context }) => effects.refreshed(context.live),
      commit: assign(({ context }) => {
        const commits: Committed<TConfig>[] = []
        let live = context.live
        for (const step of context.batch) {
          live = effects.commit(live, ready(step.validated)!)
          commits.push(live)
        }
        return { live, commits }
      }),
      publish: ({ context }) => {
        for (const [i, step] of context.batch.entries()) {
          effects.publish(step.txn, context.commits[i]!, ready(step.validated)!)
        }
      },
      settle: ({ context }, params: { status: UpdateResult['status'] }) => {
        for (const [i, step] of context.batch.entries()) {
          effects.settle(step.txn, resultOf(params.status, context, step, context.commits[i]))
        }
      },
    },
    guards: {
      hasQueued: ({ context }) => context.queue.length > 0,
      isRejected: ({ context }) => head(context).validated.kind === 'rejected',
      isUnchanged: ({ context }) => head(context).validated.kind === 'unchanged',
      nothingToApply: ({ context }) => groupable(head(context).validated),
    },
  }).createMachine({
    id: 'hotconf',
    context: { live, queue: [], batch: [], commits: [], errors: [] },
    initial: 'idle',
    on: { 'config.*': { actions: 'enqueue' } },
    states: {
      // Between transactions the machine rests in idle, in the substate that says how the last one ended; the
      // outcome states are where each transaction settles. Taking the event straight from idle to validating (and
      // resting in the outcome instead of passing through it) keeps a transaction to three microsteps: xstate's
      // cost is per microstep, and it was most of an update's time.
      idle: {
        initial: 'ready',
        on: { 'config.*': { target: 'validating', actions: ['enqueue', 'dequeue'] } },
        always: { guard: 'hasQueued', target: 'validating', actions: 'dequeue' },
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
          { guard: 'isRejected', target: 'idle.rejected' },
          { guard: 'isUnchanged', target: 'idle.unchanged', actions: ['refresh', 'refreshed'] },
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
            txn: head(context).txn,
            prepared: ready(head(context).validated)!,
          }),
          onDone: [
            {
              guard: ({ event }) => !event.output.ok,
              target: 'idle.rolledBack',
              actions: assign({ errors: ({ event }) => (event.output.ok ? [] : event.output.errors) }),
            },
            {
              target: 'notifying',
              actions: assign({
                batch: ({ context, event }) => {
                  const step = head(context)
                  const version = event.output.ok ? event.output.persistedVersion : undefined
                  if (version === undefined) return context.batch
                  return [
                    {
                      txn: step.txn,
                      validated: {
                        kind: 'ready',
                        prepared: { ...ready(step.validated)!, persistedVersion: version },
                      },
                    },
                  ]
                },
              }),
            },
          ],
          onError: {
            target: 'idle.rolledBack',
            actions: assign({ errors: ({ event }) => [internalIssue(event.error)] }),
          },
        },
      },
      notifying: {
        entry: ['commit', { type: 'phase', params: { phase: 'notifying' } }, 'publish'],
        always: 'idle.committed',
      },
    },
  })
}

// --- internal ---

function resultOf<TConfig>(
  status: UpdateResult['status'],
  context: Context<TConfig>,
  step: Step<TConfig>,
  committed: Committed<TConfig> | undefined,
): UpdateResult {
  const revision = context.live.revision
  switch (status) {
    case 'unchanged':
      return { status, revision }
    case 'rejected':
    case 'rolledBack':
      return { status, errors: context.errors, revision }
    case 'committed': {
      if (!committed) throw new Error('hotconf: committed without a commit (machine bug)')
      return {
        status,
        revision: committed.revision,
        changes: step.validated.kind === 'ready' ? step.validated.prepared.changes : [],
        ...(committed.pendingRestart.length > 0 ? { pendingRestart: committed.pendingRestart } : {}),
      }
    }
  }
}

function internalIssue(error: unknown): ConfigIssue {
  return { code: 'SOURCE_FAILED', path: '', message: messageOf(error) }
}
