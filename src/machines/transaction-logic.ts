import { and, assign, fromPromise, stateIn } from 'xstate'
import { messageOf } from '../error-message.ts'
import { ConfigError, issue } from '../errors.ts'
import type { LoadedLayer } from '../layers.ts'
import type { ConfigIssue, TransactionPhase, UpdateResult } from '../types.ts'
import type {
  Applied,
  Committed,
  Intent,
  PersistedLayer,
  Prepared,
  ReloadRequest,
  Step,
  TransactionContext,
  TransactionEffects,
  TransactionEvent,
  Txn,
  Validated,
} from './transaction.ts'

/** Most transactions one pass may carry: bounds the latency a group adds to its first member. */
const MAX_BATCH = 64

/** The machine's named actions, guards and actors over one set of effects (`machine.provide(...)`). */
export function transactionLogic<TConfig>(effects: TransactionEffects<TConfig>) {
  return {
    actors: {
      apply: fromPromise<Applied, { live: Committed<TConfig>; txn: Txn; prepared: Prepared<TConfig> }>(
        ({ input }) => effects.apply(input.live, input.txn, input.prepared),
      ),
      readSources: fromPromise<readonly LoadedLayer[], ReadonlyMap<string, Uint8Array> | undefined>(
        ({ input }) => effects.readSources(input),
      ),
      readOverrides: fromPromise<PersistedLayer>(() => effects.readOverrides!()),
    },
    actions: { ...pipelineActions(effects), ...loaderActions(effects) },
    guards: guardsOf(effects),
  }
}

/** The initial context around the first committed state. */
export function initialContext<TConfig>(live: Committed<TConfig>): TransactionContext<TConfig> {
  return {
    live,
    queue: [],
    batch: [],
    commits: [],
    errors: [],
    reading: undefined,
    nextReload: undefined,
    loaded: [],
    held: undefined,
  }
}

// --- internal ---

type Args<TConfig> = { context: TransactionContext<TConfig>; event: TransactionEvent }

/** `assign` typed for this machine (standalone, it cannot know the context and events). */
function update<TConfig, P = undefined>(
  fn: (args: Args<TConfig>, params: P) => Partial<TransactionContext<TConfig>>,
) {
  return assign<TransactionContext<TConfig>, TransactionEvent, P, TransactionEvent, any>(fn)
}

const head = <TConfig>(context: TransactionContext<TConfig>) => context.batch[0]!

/** Ready and with nothing to apply: may share a pass with the transactions queued behind it. */
function groupable<TConfig>(effects: TransactionEffects<TConfig>, v: Validated<TConfig>): boolean {
  return v.kind === 'ready' && !effects.needsApply(v.prepared)
}

/** The pipeline: queue, validate, apply, commit, publish, settle. */
function pipelineActions<TConfig>(effects: TransactionEffects<TConfig>) {
  type A = Args<TConfig>
  return {
    enqueue: update(({ context, event }: A) => {
      if (!('txns' in event)) return {}
      return context.held
        ? { held: [...context.held, ...event.txns] }
        : { queue: [...context.queue, ...event.txns] }
    }),
    dequeue: update(({ context }: A) => nextPass(effects, context.live, context.queue)),
    // An event that finds the pipeline idle: queue and dequeue in one assign (one copy of the context, not two).
    take: update(({ context, event }: A) =>
      'txns' in event ? nextPass(effects, context.live, [...context.queue, ...event.txns]) : {},
    ),
    phase: ({ context }: A, params: { phase: TransactionPhase }) => {
      for (const step of context.batch) effects.phase(step.txn, params.phase, context.live.revision)
    },
    refresh: update(({ context }: A) => {
      const validated = head(context).validated
      if (validated.kind !== 'unchanged' || !validated.layers) return {}
      return { live: { ...context.live, layers: validated.layers } }
    }),
    refreshed: ({ context }: A) => effects.refreshed(context.live),
    commit: update(({ context }: A) => {
      const commits: Committed<TConfig>[] = []
      let live = context.live
      for (const step of context.batch) {
        live = effects.commit(live, ready(step.validated)!)
        commits.push(live)
      }
      return { live, commits }
    }),
    publish: ({ context }: A) => {
      for (const [i, step] of context.batch.entries()) {
        effects.publish(step.txn, context.commits[i]!, ready(step.validated)!)
      }
    },
    settle: ({ context }: A, params: { status: UpdateResult['status'] }) => {
      for (const [i, step] of context.batch.entries()) {
        effects.settle(step.txn, resultOf(params.status, context, step, context.commits[i]))
      }
    },
    fail: update((_: A, params: { errors: readonly ConfigIssue[] }) => ({ errors: params.errors })),
    // `apply` compensates itself and resolves with its errors: a rejection is a bug, told as one issue.
    failOnCrash: update((_: A, params: { error: unknown }) => ({
      errors: [issue('SOURCE_FAILED', '', messageOf(params.error))],
    })),
    /** A save that returned the backend's version: the commit records it. */
    stampVersion: update(({ context }: A, params: { version: string | undefined }) => {
      const step = head(context)
      if (params.version === undefined) return {}
      const prepared = { ...ready(step.validated)!, persistedVersion: params.version }
      return { batch: [{ txn: step.txn, validated: { kind: 'ready' as const, prepared } }] }
    }),
  }
}

/** The loader: a reload's reads, the hold on new transactions while the backend is read, coalescing. */
function loaderActions<TConfig>(effects: TransactionEffects<TConfig>) {
  type A = Args<TConfig>
  const queueReload = (context: TransactionContext<TConfig>, intent: Intent) => {
    const txn = effects.admit(context.reading!, intent)
    return {
      queue: [...context.queue, ...(txn ? [txn] : []), ...(context.held ?? [])],
      held: undefined,
      reading: undefined,
      loaded: [],
    }
  }
  return {
    startReload: update(({ event }: A) => ('request' in event ? { reading: event.request } : {})),
    coalesceReload: update(({ context, event }: A) => {
      if (!('request' in event)) return {}
      const next = context.nextReload
      if (!next) return { nextReload: event.request }
      const { contents: _, ...first } = next
      const waiters = [...next.waiters, ...event.request.waiters]
      return { nextReload: { ...first, waiters, ...sharedContents(next, event.request) } }
    }),
    startNextReload: update(({ context }: A) => ({
      reading: context.nextReload,
      nextReload: undefined,
    })),
    keepSources: update((_: A, params: { sources: readonly LoadedLayer[] }) => ({
      loaded: params.sources,
    })),
    hold: update((_: A) => ({ held: [] })),
    queueReload: update(
      ({ context }: A, params: { sources: readonly LoadedLayer[]; overrides?: PersistedLayer }) => {
        const { sources, overrides } = params
        return queueReload(context, {
          kind: 'reload',
          loaded: overrides ? { sources, overrides } : { sources },
        })
      },
    ),
    queueFailedReload: update(({ context }: A, params: { error: unknown }) => {
      const { error } = params
      const failed =
        error instanceof ConfigError ? error.issues : [issue('SOURCE_FAILED', '', messageOf(error))]
      return queueReload(context, { kind: 'reload', failed })
    }),
  }
}

function guardsOf<TConfig>(effects: TransactionEffects<TConfig>) {
  type A = Args<TConfig>
  return {
    hasQueued: ({ context }: A) => context.queue.length > 0,
    isHolding: ({ context }: A) => context.held !== undefined,
    isRejected: ({ context }: A) => head(context).validated.kind === 'rejected',
    isUnchanged: ({ context }: A) => head(context).validated.kind === 'unchanged',
    nothingToApply: ({ context }: A) => groupable(effects, head(context).validated),
    refused: (_: A, params: { applied: Applied }) => !params.applied.ok,
    readsBackend: () => effects.readOverrides !== undefined,
    hasNextReload: ({ context }: A) => context.nextReload !== undefined,
    // Everything queued before the hold has settled: the backend is read in transaction order.
    drained: and([({ context }: A) => context.queue.length === 0, stateIn({ pipeline: 'idle' })]),
  }
}

/**
 * The bytes a shared read takes: only when every reload in it handed some (a plain reload reads the files), the
 * later bytes winning.
 */
function sharedContents(a: ReloadRequest, b: ReloadRequest): Pick<ReloadRequest, 'contents'> {
  return a.contents && b.contents ? { contents: new Map([...a.contents, ...b.contents]) } : {}
}

function ready<TConfig>(v: Validated<TConfig> | undefined) {
  return v?.kind === 'ready' ? v.prepared : undefined
}

/** The context of the next pass: its batch, taken from the head of `queue`. */
function nextPass<TConfig>(
  effects: TransactionEffects<TConfig>,
  live: Committed<TConfig>,
  queue: readonly Txn[],
): Partial<TransactionContext<TConfig>> {
  const batch = takeBatch(effects, live, queue)
  const validated = batch[0]!.validated
  return {
    batch,
    commits: [],
    queue: queue.slice(batch.length),
    errors: validated.kind === 'rejected' ? validated.errors : [],
  }
}

/** The head of the queue, and the ready transactions behind it that may share its pass (group commit). */
function takeBatch<TConfig>(
  effects: TransactionEffects<TConfig>,
  live: Committed<TConfig>,
  queue: readonly Txn[],
): Step<TConfig>[] {
  const batch: Step<TConfig>[] = [{ txn: queue[0]!, validated: effects.prepare(live, queue[0]!) }]
  let state = live
  while (
    groupable(effects, batch[batch.length - 1]!.validated) &&
    batch.length < queue.length &&
    batch.length < MAX_BATCH
  ) {
    state = effects.commit(state, ready(batch[batch.length - 1]!.validated)!)
    const txn = queue[batch.length]!
    // Only plain writes join behind the first: a rollback looks its target up in history, which learns of this
    // pass's earlier commits only in notifying.
    if (txn.intent.kind !== 'update' && txn.intent.kind !== 'set') break
    const validated = effects.prepare(state, txn)
    if (!groupable(effects, validated)) break
    batch.push({ txn, validated })
  }
  return batch
}

function resultOf<TConfig>(
  status: UpdateResult['status'],
  context: TransactionContext<TConfig>,
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
