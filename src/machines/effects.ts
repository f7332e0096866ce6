import type { TransactionEvent } from '../diagnostics.ts'
import { messageOf } from '../error-message.ts'
import { ConfigError, formatIssues, issue } from '../errors.ts'
import { persistExpiries } from '../expiries.ts'
import { type LayerState, persistedOverrides } from '../layers.ts'
import { SaveQueue } from '../persist/save-queue.ts'
import { persistProbation } from '../probation.ts'
import { Ring } from '../ring.ts'
import type { Redactor } from '../schema/redactor.ts'
import type {
  HistoryEntry,
  OverridesBackend,
  PersistedOverrides,
  TransactionPhase,
  TransactionRecord,
  UpdateResult,
} from '../types.ts'
import type { PrepareEnv } from './candidate.ts'
import type { Ledger, PipelineEffects, PipelineParts } from './pipeline-parts.ts'
import { prepare } from './prepare.ts'
import { withProbation } from './probation-step.ts'
import { layerReads } from './read-layers.ts'
import type { Applied, Committed, Intent, Prepared, ReloadRequest, Txn, Validated } from './transaction.ts'

/**
 * The work the transaction machine delegates, for one store: validating (`prepare`), applying (participants, then
 * the overrides saved through a `SaveQueue`), publishing a commit to history and the streams, settling each
 * transaction (its record, its event, its waiters), and a reload's reads.
 */
export function createEffects<TConfig>(
  parts: PipelineParts<TConfig>,
  ledger: Ledger<TConfig>,
): PipelineEffects<TConfig> {
  return Object.assign(new StoreEffects(parts, ledger), layerReads({ ...parts, report: parts.warn }))
}

class StoreEffects<TConfig> implements Omit<PipelineEffects<TConfig>, 'readSources'> {
  readonly records: Ring<TransactionRecord>
  readonly saves: SaveQueue | undefined
  readonly #parts: PipelineParts<TConfig>
  readonly #ledger: Ledger<TConfig>
  readonly #prepareEnv: PrepareEnv<TConfig>

  constructor(parts: PipelineParts<TConfig>, ledger: Ledger<TConfig>) {
    this.#parts = parts
    this.#ledger = ledger
    this.records = new Ring(parts.eventsLimit)
    this.#prepareEnv = {
      schema: parts.schema,
      redactor: parts.redactor,
      restartPaths: parts.restartPaths,
      report: parts.warn,
      lookup: (target) => parts.history.configAt(target),
    }
    this.saves =
      parts.backend &&
      saveQueue(parts, parts.backend, () => this.#persisted(ledger.live.layers, ledger.live.revision))
  }

  prepare(live: Committed<TConfig>, txn: Txn): Validated<TConfig> {
    const result = prepare(this.#prepareEnv, live, txn.intent, txn.meta.expectedRevision)
    return withProbation(result, live, txn, this.#parts.probation, this.#parts.clock().getTime())
  }

  dryRun(intent: Intent): Validated<TConfig> {
    return prepare(this.#prepareEnv, this.#ledger.live, intent)
  }

  needsApply(prepared: Prepared<TConfig>): boolean {
    return (
      (prepared.persist && this.#parts.backend !== undefined) ||
      this.#parts.participants.concerns(prepared.changes)
    )
  }

  refreshed(live: Committed<TConfig>): void {
    this.#ledger.live = live
    this.#parts.onRefresh?.()
  }

  commit(live: Committed<TConfig>, prepared: Prepared<TConfig>): Committed<TConfig> {
    return nextCommitted(live, prepared, this.#parts.clock())
  }

  async apply(live: Committed<TConfig>, txn: Txn, prepared: Prepared<TConfig>): Promise<Applied> {
    const { redactor, participants, backend } = this.#parts
    const changes = redactor.changes(prepared.changes)
    let undo = async () => {}
    if (participants.concerns(prepared.changes)) {
      const run = await participants.run(prepared.config, live.config, { ...who(txn), changes })
      if (run.errors) return { ok: false, errors: redactor.issues(run.errors, prepared.config, live.config) }
      undo = run.accepted
    }
    if (!prepared.persist || !this.saves) return { ok: true }
    const saved = await this.saves.save(this.#persisted(prepared.layers, live.revision + 1))
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

  publish(txn: Txn, committed: Committed<TConfig>, prepared: Prepared<TConfig>): void {
    this.#ledger.live = committed
    const changeSet: HistoryEntry = {
      revision: committed.revision,
      at: committed.at,
      ...who(txn),
      changes: this.#parts.redactor.changes(prepared.changes),
      durationMs: performance.now() - txn.startedAt,
      ...(prepared.rollbackOf === undefined ? {} : { rollbackOf: prepared.rollbackOf }),
      ...(prepared.persistedVersion === undefined ? {} : { persistedVersion: prepared.persistedVersion }),
    }
    this.#parts.history.record(committed.revision, prepared.config, changeSet)
    this.#parts.streams.publish(prepared.config, changeSet)
    this.#parts.onCommit?.(committed)
  }

  settle(txn: Txn, raw: UpdateResult): void {
    const { counters, streams, tracer, logger } = this.#parts
    const result = redactedResult(this.#parts.redactor, raw)
    const record = recordOf(txn, result, this.#parts.clock())
    counters.record(result.status, record.durationMs, txn.intent.kind === 'reload')
    this.records.push(record)
    const event: TransactionEvent = {
      type: 'transaction',
      phase: result.status,
      intent: txn.intent.kind,
      ...record,
    }
    streams.event(event)
    tracer.observe(event)
    // Once per failed transaction, whatever its source: a result nobody reads must not be lost.
    if (record.errors.length > 0)
      logger.warn(`${txn.meta.source} ${result.status}:\n${formatIssues(record.errors)}`)
    this.#parts.onOutcome?.(record)
    for (const waiter of txn.waiters) waiter(result)
  }

  phase(txn: Txn, phase: TransactionPhase, revision: number): void {
    const { streams, tracer, clock } = this.#parts
    const traced = tracer.wanted
    if (!traced && !streams.eventsObserved) return
    const event: TransactionEvent = {
      type: 'transaction',
      phase,
      intent: txn.intent.kind,
      ...who(txn),
      revision,
      at: clock(),
    }
    streams.event(event)
    if (traced) tracer.observe(event)
  }

  readonly open: PipelineEffects<TConfig>['open'] = (intent, meta, source, waiters, startedAt) => {
    if (this.#ledger.closed) {
      const result = this.refused('CLOSED', 'the store is closed')
      for (const waiter of waiters) waiter(result)
      return undefined
    }
    const txn: Txn = {
      id: this.#ledger.nextId++,
      intent,
      meta: { ...meta, source: meta?.source ?? source },
      startedAt,
      waiters,
    }
    this.phase(txn, 'started', this.#ledger.live.revision)
    return txn
  }

  admit(request: ReloadRequest, intent: Intent): Txn | undefined {
    return this.open(intent, request.meta, 'reload', request.waiters, request.startedAt)
  }

  refused(code: 'CLOSED' | 'REENTRANT' | 'MISSING_DEPENDENCY', message: string): UpdateResult {
    return { status: 'rejected', errors: [issue(code, '', message)], revision: this.#ledger.live.revision }
  }

  #persisted(layers: LayerState, revision: number): PersistedOverrides {
    const expiries = persistExpiries(layers.expiries)
    const probation = persistProbation(layers.probation)
    return {
      overrides: persistedOverrides(layers),
      ...(expiries ? { expiries } : {}),
      ...(probation ? { probation } : {}),
      revision,
      updatedAt: this.#parts.clock().toISOString(),
      environment: this.#parts.environment,
    }
  }
}

// --- internal ---

function saveQueue<TConfig>(
  parts: PipelineParts<TConfig>,
  backend: OverridesBackend,
  live: () => PersistedOverrides,
): SaveQueue {
  const { name } = backend
  return new SaveQueue(backend, parts.persistTimeoutMs, live, {
    onRepaired: () =>
      parts.warn(
        'PERSIST_FAILED',
        `a save of the overrides (${name}) that ran out of time finished late; the live overrides were saved again`,
      ),
    onRepairFailed: (error) =>
      parts.warn(
        'PERSIST_FAILED',
        `could not save the live overrides again (${name}) after a late save: ${messageOf(error)}; disk and memory may differ until the next save`,
      ),
  })
}

/** The committed state after a transaction: one revision more. */
function nextCommitted<TConfig>(
  live: Committed<TConfig>,
  prepared: Prepared<TConfig>,
  at: Date,
): Committed<TConfig> {
  const persistedVersion = prepared.persistedVersion ?? live.persistedVersion
  return {
    config: prepared.config,
    revision: live.revision + 1,
    layers: prepared.layers,
    at,
    pendingRestart: prepared.pendingRestart,
    ...(persistedVersion === undefined ? {} : { persistedVersion }),
  }
}

function redactedResult(redactor: Redactor, raw: UpdateResult): UpdateResult {
  if (raw.status !== 'committed') return raw
  return {
    ...raw,
    changes: redactor.changes(raw.changes),
    ...(raw.pendingRestart ? { pendingRestart: redactor.restarts(raw.pendingRestart) } : {}),
  }
}

function recordOf(txn: Txn, result: UpdateResult, at: Date): TransactionRecord {
  return {
    status: result.status,
    revision: result.revision,
    ...who(txn),
    at,
    durationMs: performance.now() - txn.startedAt,
    changes: result.status === 'committed' ? result.changes : [],
    errors: 'errors' in result ? result.errors : [],
  }
}

function who(txn: Txn) {
  const { source, actor, reason } = txn.meta
  return {
    id: txn.id,
    source,
    ...(actor === undefined ? {} : { actor }),
    ...(reason === undefined ? {} : { reason }),
  }
}
