import { performance } from 'node:perf_hooks'
import { messageOf } from './error-message.ts'
import { ConfigError, formatIssues, issue } from './errors.ts'
import { persistedOverrides } from './layers.ts'
import type { LiveStore, StoreParts } from './live-store.ts'
import { prepare } from './machines/prepare.ts'
import type { Applied, Committed, Prepared, Txn, Validated } from './machines/transaction.ts'
import type { TransactionEffects } from './machines/transaction-machine.ts'
import { SaveQueue } from './persist/save-queue.ts'
import { Ring } from './ring.ts'
import type {
  HistoryEntry,
  PersistedOverrides,
  TransactionPhase,
  TransactionRecord,
  UpdateResult,
} from './types.ts'

/** What the effects tell the store they serve, and ask of it. */
export interface EffectsHost<TConfig> {
  /** A commit is published: the store's reads move to it. */
  published(committed: Committed<TConfig>): void
  /** A transaction has settled and its waiters have their result. */
  settled(): void
  /** The committed state now. */
  live(): Committed<TConfig>
  warn: LiveStore<TConfig>['warn']
}

/**
 * The work the transaction machine delegates, for one store: validating (`prepare`), applying (participants, then
 * the overrides saved through a `SaveQueue`), publishing a commit to history and the streams, and settling each
 * transaction (its record, its event, its waiters). Kept apart from `LiveStore`, which owns the reads and the queue
 * of submissions.
 */
export class StoreEffects<TConfig> implements TransactionEffects<TConfig> {
  /** Transaction outcomes, newest last, for `events()`. */
  readonly records: Ring<TransactionRecord>
  /** Saves of the overrides, one at a time and each within `persistTimeoutMs`; none without a backend. */
  readonly saves: SaveQueue | undefined
  readonly #parts: StoreParts<TConfig>
  readonly #host: EffectsHost<TConfig>

  constructor(parts: StoreParts<TConfig>, host: EffectsHost<TConfig>) {
    this.#parts = parts
    this.#host = host
    this.records = new Ring(parts.eventsLimit)
    const name = parts.backend?.name
    this.saves =
      parts.backend &&
      new SaveQueue(
        parts.backend,
        parts.persistTimeoutMs,
        () => this.#persisted(persistedOverrides(host.live().layers), host.live().revision),
        {
          onRepaired: () =>
            host.warn(
              'PERSIST_FAILED',
              `a save of the overrides (${name}) that ran out of time finished late; the live overrides were saved again`,
            ),
          onRepairFailed: (error) =>
            host.warn(
              'PERSIST_FAILED',
              `could not save the live overrides again (${name}) after a late save: ${messageOf(error)}; disk and memory may differ until the next save`,
            ),
        },
      )
  }

  prepare(live: Committed<TConfig>, txn: Txn): Validated<TConfig> {
    return prepare(this.#parts.env, live, txn.intent, txn.meta.expectedRevision)
  }

  needsApply(prepared: Prepared<TConfig>): boolean {
    return (
      (prepared.persist && this.#parts.backend !== undefined) ||
      this.#parts.participants.concerns(prepared.changes)
    )
  }

  refreshed(live: Committed<TConfig>): void {
    this.#host.published(live)
  }

  /** The committed state after a transaction: one revision more. */
  commit(live: Committed<TConfig>, prepared: Prepared<TConfig>): Committed<TConfig> {
    const persistedVersion = prepared.persistedVersion ?? live.persistedVersion
    return {
      config: prepared.config,
      revision: live.revision + 1,
      layers: prepared.layers,
      at: this.#parts.clock(),
      pendingRestart: prepared.pendingRestart,
      ...(persistedVersion === undefined ? {} : { persistedVersion }),
    }
  }

  async apply(live: Committed<TConfig>, txn: Txn, prepared: Prepared<TConfig>): Promise<Applied> {
    const { redactor, participants, backend } = this.#parts
    const changes = redactor.changes(prepared.changes)
    let undo = async () => {}
    if (participants.concerns(prepared.changes)) {
      const run = await participants.run(prepared.config, live.config, { ...this.#who(txn), changes })
      if (run.errors) return { ok: false, errors: redactor.issues(run.errors, prepared.config, live.config) }
      undo = run.accepted
    }
    if (!prepared.persist || !this.saves) return { ok: true }
    const saved = await this.saves.save(
      this.#persisted(persistedOverrides(prepared.layers), live.revision + 1),
    )
    if (saved.ok)
      return saved.version === undefined ? { ok: true } : { ok: true, persistedVersion: saved.version }
    await undo()
    const { error } = saved
    const errors =
      error instanceof ConfigError
        ? error.issues
        : [
            issue(
              'PERSIST_FAILED',
              '',
              `could not persist the overrides (${backend!.name}): ${messageOf(error)}`,
            ),
          ]
    return { ok: false, errors: redactor.issues(errors, prepared.config, live.config) }
  }

  #persisted(overrides: Readonly<Record<string, unknown>>, revision: number): PersistedOverrides {
    return {
      overrides,
      revision,
      updatedAt: this.#parts.clock().toISOString(),
      environment: this.#parts.environment,
    }
  }

  publish(txn: Txn, committed: Committed<TConfig>, prepared: Prepared<TConfig>): void {
    const { revision, at } = committed
    this.#host.published(committed)
    const changeSet: HistoryEntry = {
      revision,
      at,
      ...this.#who(txn),
      changes: this.#parts.redactor.changes(prepared.changes),
      durationMs: performance.now() - txn.startedAt,
      ...(prepared.rollbackOf === undefined ? {} : { rollbackOf: prepared.rollbackOf }),
      ...(prepared.persistedVersion === undefined ? {} : { persistedVersion: prepared.persistedVersion }),
    }
    this.#parts.history.record(revision, prepared.config, changeSet)
    this.#parts.streams.publish(prepared.config, changeSet)
    this.#parts.hooks.onCommit?.(committed)
  }

  settle(txn: Txn, raw: UpdateResult): void {
    const durationMs = performance.now() - txn.startedAt
    const { redactor } = this.#parts
    const result: UpdateResult =
      raw.status === 'committed'
        ? {
            ...raw,
            changes: redactor.changes(raw.changes),
            ...(raw.pendingRestart ? { pendingRestart: redactor.restarts(raw.pendingRestart) } : {}),
          }
        : raw
    const errors = 'errors' in result ? result.errors : []
    const changes = result.status === 'committed' ? result.changes : []
    this.#parts.counters.record(result.status, durationMs, txn.intent.kind === 'reload')
    const record: TransactionRecord = {
      status: result.status,
      revision: result.revision,
      ...this.#who(txn),
      at: this.#parts.clock(),
      durationMs,
      changes,
      errors,
    }
    this.records.push(record)
    this.#parts.streams.event({
      type: 'transaction',
      phase: result.status,
      intent: txn.intent.kind,
      ...record,
    })
    // Once per failed transaction, whatever its source: a result nobody reads must not be lost.
    if (errors.length > 0) {
      this.#parts.logger.warn(`${txn.meta.source} ${result.status}:\n${formatIssues(errors)}`)
    }
    this.#parts.hooks.onOutcome?.(record)
    for (const waiter of txn.waiters) waiter(result)
    this.#host.settled()
  }

  phase(txn: Txn, phase: TransactionPhase, revision: number): void {
    if (!this.#parts.streams.eventsObserved) return
    this.#parts.streams.event({
      type: 'transaction',
      phase,
      intent: txn.intent.kind,
      ...this.#who(txn),
      revision,
      at: this.#parts.clock(),
    })
  }

  #who(txn: Txn) {
    const { source, actor, reason } = txn.meta
    return {
      id: txn.id,
      source,
      ...(actor === undefined ? {} : { actor }),
      ...(reason === undefined ? {} : { reason }),
    }
  }
}
