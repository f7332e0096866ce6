import { messageOf } from '../error-message.ts'
import type { Ring } from '../ring.ts'
import type { FileContent, ReloadMeta, TransactionRecord, UpdateMeta, UpdateResult } from '../types.ts'
import { createEffects } from './effects.ts'
import { lazyActor } from './lazy-actor.ts'
import type { Ledger, PipelineParts } from './pipeline-parts.ts'
import type { Committed, Intent, ReloadRequest, TransactionEvent, Txn, Validated } from './transaction.ts'

/** The transaction pipeline of one store: the only way its committed state changes. */
export interface Transactor<TConfig> {
  /**
   * The ledger, read-only: `state.live` is the committed state now, what readers see. A plain data object rather
   * than a getter on this one: each store's getter is its own closure, so a read through it stays polymorphic and
   * cost `store.current` ~9 ns instead of ~1.
   */
  readonly state: { readonly live: Committed<TConfig> }
  /** Transaction outcomes, newest last, for `events()`. */
  readonly records: Ring<TransactionRecord>
  /** True once `close` was called: every write from then on resolves `rejected` with `CLOSED`. */
  readonly closed: boolean
  /**
   * Queues one transaction; resolves with its result: `rejected` with `CLOSED` once closed, and at once with
   * `REENTRANT` when called from inside a participant (it would queue behind the transaction waiting for it).
   */
  submit(intent: Intent, meta: UpdateMeta | undefined, source: string): Promise<UpdateResult>
  /** Reads every layer, then queues one transaction; reloads asked for during a read share the next one. */
  reload(meta?: ReloadMeta): Promise<UpdateResult>
  /** The validating step alone, against the live state: nothing is queued or committed. */
  dryRun(intent: Intent): Validated<TConfig>
  /** Refuses new writes from now on. */
  close(): void
  /** After `close`: settles once every write handed in has settled, the machine has stopped and saves are done. */
  stopped(): Promise<void>
}

/**
 * Builds the pipeline: the effects, the transaction machine they are provided to, and its door. The door numbers
 * each transaction, sends everything submitted in one tick as one event (so concurrent callers can share a pass),
 * and counts what is pending so `stopped` can wait for it; the machine owns every ordering decision after that.
 */
export function createTransactor<TConfig>(parts: PipelineParts<TConfig>): Transactor<TConfig> {
  const ledger: Ledger<TConfig> = { live: parts.initial, nextId: 1, closed: false }
  const effects = createEffects(parts, ledger)
  const actor = lazyActor(
    () =>
      import('./transaction-actor.ts').then(({ startTransactionActor }) =>
        startTransactionActor(ledger.live, effects, parts.inspect),
      ),
    (error) =>
      effects.refused('MISSING_DEPENDENCY', `the transaction machine did not load: ${messageOf(error)}`),
  )
  // The inspector is promised the machine from the start.
  if (parts.inspect) actor.load()

  const post = groupPerTick((event) => actor.send(event))
  let pending = 0
  let onDrained: (() => void) | undefined
  // Every promise handed out is counted until it resolves: `stopped` waits for the last one.
  const counted = (resolve: (result: UpdateResult) => void) => {
    pending++
    return (result: UpdateResult) => {
      resolve(result)
      if (--pending === 0) onDrained?.()
    }
  }
  const reentrant = () => parts.participants.calling

  return {
    state: ledger,
    records: effects.records,
    get closed() {
      return ledger.closed
    },
    submit(intent, meta, source) {
      if (reentrant()) {
        return Promise.resolve(
          effects.refused(
            'REENTRANT',
            `${intent.kind}() was called from inside a participant of this store, whose transaction waits for it: write after the participant returned, or throw to veto`,
          ),
        )
      }
      return new Promise<UpdateResult>((resolve) => {
        const txn = effects.open(intent, meta, source, [counted(resolve)], performance.now())
        if (txn) post(txn)
      })
    },
    reload(fullMeta) {
      // The bytes go to the sources, never into the transaction's meta (history, events, records).
      const { contents, ...meta } = fullMeta ?? {}
      if (ledger.closed || reentrant()) return this.submit({ kind: 'reload', failed: [] }, meta, 'reload')
      return new Promise<UpdateResult>((resolve) => {
        const request: ReloadRequest = {
          meta,
          startedAt: performance.now(),
          waiters: [counted(resolve)],
          ...(contents ? { contents: contentsMap(contents) } : {}),
        }
        actor.send({ type: 'reload.request', request })
      })
    },
    dryRun: (intent) => effects.dryRun(intent),
    close() {
      ledger.closed = true
    },
    async stopped() {
      if (pending > 0) await new Promise<void>((resolve) => (onDrained = resolve))
      await actor.stop()
      await effects.saves?.drain()
    },
  }
}

// --- internal ---

/**
 * Everything posted in one tick goes to the machine in one event (`config.<kind>`, or `config.batch` when the kinds
 * differ), so concurrent callers can share a pass (group commit).
 */
function groupPerTick(send: (event: TransactionEvent) => void): (txn: Txn) => void {
  let outbox: Txn[] = []
  const flush = () => {
    const txns = outbox
    outbox = []
    const kind = txns[0]!.intent.kind
    send({ type: txns.every((t) => t.intent.kind === kind) ? `config.${kind}` : 'config.batch', txns })
  }
  return (txn) => {
    if (outbox.push(txn) === 1) queueMicrotask(flush)
  }
}

/** `ReloadMeta.contents` by path; the last entry for a path wins. */
function contentsMap(contents: readonly FileContent[]): ReadonlyMap<string, Uint8Array> {
  return new Map(contents.map(({ file, bytes }) => [file, bytes]))
}
