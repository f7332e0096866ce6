import { performance } from 'node:perf_hooks'
import type { Immer } from 'immer'
import type { Observable } from 'rxjs'
import { type Actor, createActor } from 'xstate'
import type { z } from 'zod'
import { ConfigError, formatIssues, issue } from './errors.ts'
import type { ConfigHistory } from './history.ts'
import { explainPath, messageOf } from './layers.ts'
import { type PrepareEnv, prepare, readOverrides, readSources } from './machines/prepare.ts'
import type { Applied, Committed, Intent, Prepared, Txn } from './machines/transaction.ts'
import { createTransactionMachine, type TransactionEvent } from './machines/transaction-machine.ts'
import type { ParticipantSet } from './participants.ts'
import { SaveQueue } from './persist/save-queue.ts'
import { Ring } from './ring.ts'
import type { Redactor } from './schema/redactor.ts'
import type { StoreCounters } from './stats.ts'
import type { StoreStreams } from './streams.ts'
import { cloneData } from './tree/clone.ts'
import { diffTrees } from './tree/diff.ts'
import { readerFor } from './tree/paths.ts'
import type {
  AdapterState,
  ChangeSet,
  ConfigChange,
  ExportDocument,
  HistoryEntry,
  Logger,
  OverridesBackend,
  Participant,
  ParticipantOptions,
  PersistedOverrides,
  Snapshot,
  StoreEvent,
  StoreStats,
  StoreStatus,
  TransactionPhase,
  TransactionRecord,
  UpdateMeta,
  UpdateResult,
  ValidationResult,
} from './types.ts'

/** Everything a store is built from; `createConfigStore` assembles it. */
export interface StoreParts<TConfig> {
  readonly schema: z.ZodType<TConfig>
  readonly environment: string
  readonly initial: Committed<TConfig>
  readonly env: PrepareEnv<TConfig>
  readonly immer: Immer
  readonly redactor: Redactor
  readonly history: ConfigHistory<TConfig>
  readonly participants: ParticipantSet
  /** Time a save of the overrides has before its transaction is rolled back. */
  readonly persistTimeoutMs: number
  readonly streams: StoreStreams<TConfig>
  readonly counters: StoreCounters
  readonly backend: OverridesBackend | undefined
  readonly logger: Logger
  readonly clock: () => Date
  readonly eventsLimit: number
  readonly inspect?: (event: unknown) => void
  /** Files behind the store that are not layers (the overrides file), for watchers. */
  readonly extraSources: readonly { readonly name: string; readonly files: readonly string[] }[]
  readonly hooks: {
    /** After every outcome (audit log). */
    onOutcome?(record: TransactionRecord): void
    /** After every commit (last known good). */
    onCommit?: ((committed: Committed<TConfig>) => void) | undefined
    /** Snapshot persistence. */
    onSnapshots?: (() => Promise<void>) | undefined
    /** Before waiting for pending transactions: stop the adapters so nothing new arrives. */
    beforeClose?(): Promise<void>
    /** After the machine stopped: release files and connections. */
    onClose?(): Promise<void>
  }
}

interface AdapterSlot {
  readonly name: string
  state: AdapterState
  lastError?: string
}

const WARNINGS_KEPT = 50

/** The store behind `createConfigStore`. Every write goes through the transaction machine. */
/** Typed as `ConfigStore<TConfig>` by `createConfigStore`; inside, configs are plain `TConfig`. */
export class LiveStore<TConfig> {
  #live: Committed<TConfig>
  #config: TConfig
  readonly #parts: StoreParts<TConfig>
  readonly #actor: Actor<ReturnType<typeof createTransactionMachine<TConfig>>>
  readonly #records: Ring<TransactionRecord>
  readonly #warnings: Ring<{ code: string; message: string; at: Date }>
  readonly #adapters: AdapterSlot[] = []
  #nextId = 1
  #pending = 0
  #drained: (() => void) | undefined
  #loading = false
  #outbox: Txn[] = []
  /** True while a reload reads the overrides backend: submissions wait in the outbox. */
  #holding = false
  /** Transactions sent to the machine and not settled yet. */
  #inFlight = 0
  #idleWaiters: (() => void)[] = []
  #again: { meta: UpdateMeta | undefined; waiters: ((result: UpdateResult) => void)[] } | undefined
  #closed = false
  #closing: Promise<void> | undefined
  /** Saves of the overrides, one at a time and each within `persistTimeoutMs`; none without a backend. */
  readonly #saves: SaveQueue | undefined

  readonly schema: z.ZodType<TConfig>
  readonly environment: string

  constructor(parts: StoreParts<TConfig>) {
    this.#parts = parts
    this.#live = parts.initial
    this.#config = parts.initial.config
    this.schema = parts.schema
    this.environment = parts.environment
    this.#records = new Ring(parts.eventsLimit)
    this.#warnings = new Ring(WARNINGS_KEPT)
    const machine = createTransactionMachine<TConfig>(
      {
        prepare: (live, txn) => prepare(parts.env, live, txn.intent, txn.meta.expectedRevision),
        needsApply: (prepared) =>
          (prepared.persist && parts.backend !== undefined) || parts.participants.concerns(prepared.changes),
        apply: (live, txn, prepared) => this.#apply(live, txn, prepared),
        commit: (live, prepared) => commitOf(live, prepared, parts.clock()),
        publish: (txn, committed, prepared) => this.#publish(txn, committed, prepared),
        settle: (txn, result) => this.#settle(txn, result),
        phase: (txn, phase, revision) => this.#phase(txn, phase, revision),
      },
      parts.initial,
    )
    this.#saves =
      parts.backend &&
      new SaveQueue(
        parts.backend,
        parts.persistTimeoutMs,
        () => this.#persisted(this.#live.layers.overrides, this.#live.revision),
        {
          onRepaired: () =>
            this.warn(
              'PERSIST_FAILED',
              `a save of the overrides (${parts.backend!.name}) that ran out of time finished late; the live overrides were saved again`,
            ),
          onRepairFailed: (error) =>
            this.warn(
              'PERSIST_FAILED',
              `could not save the live overrides again (${parts.backend!.name}) after a late save: ${messageOf(error)}; disk and memory may differ until the next save`,
            ),
        },
      )
    this.#actor = createActor(machine, parts.inspect ? { inspect: parts.inspect } : {})
    this.#actor.start()
  }

  // --- reads ---

  get current(): TConfig {
    return this.#config
  }

  get revision(): number {
    return this.#live.revision
  }

  get(path: string): any {
    return readerFor(path)(this.#config)
  }

  getSnapshot(): TConfig {
    return this.#config
  }

  subscribe(listener: ((config: TConfig) => void) | { next?: (config: TConfig) => void }): {
    unsubscribe(): void
  } {
    const next = typeof listener === 'function' ? listener : (c: TConfig) => listener.next?.(c)
    let first = true
    // config$ replays; xstate's subscribe does not, so skip the replayed value.
    return this.config$.subscribe((c) => {
      if (first) first = false
      else next(c)
    })
  }

  [Symbol.for('rxjs/observable') as never]() {
    return this
  }

  get config$(): Observable<TConfig> {
    return this.#parts.streams.config$
  }

  get changes$(): Observable<ChangeSet> {
    return this.#parts.streams.changes$
  }

  get events$(): Observable<StoreEvent> {
    return this.#parts.streams.events$
  }

  select(selector: string | ((config: TConfig) => unknown)): Observable<any> {
    if (typeof selector === 'function') return this.#parts.streams.select(selector)
    return this.#parts.streams.select(readerFor(selector))
  }

  explain(path: string) {
    return explainPath(this.#live.layers, path, this.get(path), this.#parts.redactor)
  }

  redact(value: unknown, path = ''): unknown {
    return this.#parts.redactor.value(value, path)
  }

  sources() {
    return [
      ...this.#live.layers.sources.map((s) => ({ name: s.name, files: s.files })),
      ...this.#parts.extraSources,
    ]
  }

  history(options: { limit?: number } = {}): readonly HistoryEntry[] {
    return this.#parts.history.entries(options.limit)
  }

  events(options: { limit?: number } = {}): readonly TransactionRecord[] {
    return this.#records.newest(options.limit)
  }

  snapshots(filter: { tag?: string } = {}): readonly Snapshot[] {
    return this.#parts.history.snapshots(filter.tag)
  }

  diff(fromRevision: number, toRevision = this.#live.revision) {
    const from = this.#parts.history.configAt(fromRevision)
    const to = this.#parts.history.configAt(toRevision)
    if (!from || !to) {
      const missing = from ? toRevision : fromRevision
      throw new ConfigError(issue('NOT_FOUND', '', `revision ${missing} is not retained`))
    }
    return this.#parts.redactor.changes(diffTrees(from.config, to.config))
  }

  export(options: { includeSecrets?: boolean } = {}): ExportDocument {
    return {
      revision: this.#live.revision,
      environment: this.environment,
      config: options.includeSecrets
        ? cloneData(this.#config)
        : this.#parts.redactor.value(cloneData(this.#config)),
      exportedAt: this.#parts.clock().toISOString(),
    }
  }

  status(): StoreStatus {
    return {
      revision: this.#live.revision,
      environment: this.environment,
      updatedAt: this.#live.at,
      pendingRestart: this.#live.pendingRestart.map((p) => ({
        path: p.path,
        live: this.redact(p.live, p.path),
        next: this.redact(p.next, p.path),
      })),
      historySize: this.#parts.history.size,
      snapshots: this.#parts.history.snapshots().length,
      participants: this.#parts.participants.size,
      observers: this.#parts.streams.hooks.observers,
      closed: this.#closed,
      adapters: this.#adapters.map((a) => ({ ...a })),
      sources: this.sources(),
      warnings: this.#warnings.newest(),
    }
  }

  stats(): StoreStats {
    return this.#parts.counters.snapshot()
  }

  // --- writes ---

  update(change: ConfigChange<TConfig>, meta?: UpdateMeta): Promise<UpdateResult> {
    return this.#submit({ kind: 'update', change }, meta, 'api')
  }

  set(path: string, value: unknown, meta?: UpdateMeta): Promise<UpdateResult> {
    if (path === '') return this.update(value as ConfigChange<TConfig>, meta)
    return this.#submit({ kind: 'set', path, value }, meta, 'api')
  }

  async validate(change: ConfigChange<TConfig>): Promise<ValidationResult> {
    const outcome = prepare(this.#parts.env, this.#live, { kind: 'update', change })
    if (outcome.kind === 'rejected') return { ok: false, errors: outcome.errors }
    return {
      ok: true,
      changes: outcome.kind === 'ready' ? this.#parts.redactor.changes(outcome.prepared.changes) : [],
    }
  }

  /**
   * Reads every layer, then queues one transaction. Reads happen outside the machine; while one is under way,
   * further requests share one more read (a reload is idempotent), so a burst costs at most two.
   */
  reload(meta?: UpdateMeta): Promise<UpdateResult> {
    if (this.#closed) return this.#submit({ kind: 'reload', failed: [] }, meta, 'reload')
    return new Promise<UpdateResult>((resolve) => {
      if (this.#loading) {
        this.#again ??= { meta, waiters: [] }
        this.#again.waiters.push(resolve)
      } else {
        this.#load(meta, [resolve])
      }
    })
  }

  reset(path?: string, meta?: UpdateMeta): Promise<UpdateResult> {
    return this.#submit(path === undefined ? { kind: 'reset' } : { kind: 'reset', path }, meta, 'reset')
  }

  rollback(target: number | string, meta?: UpdateMeta): Promise<UpdateResult> {
    return this.#submit({ kind: 'rollback', target }, meta, 'rollback')
  }

  import(doc: ExportDocument | { config: unknown }, meta?: UpdateMeta): Promise<UpdateResult> {
    return this.#submit({ kind: 'import', config: doc?.config }, meta, 'import')
  }

  async snapshot(options: { label?: string; tags?: readonly string[] } = {}): Promise<Snapshot> {
    const snap = this.#parts.history.pin(this.#live.revision, this.#config, options, this.#parts.clock())
    await this.#parts.hooks.onSnapshots?.()
    return snap
  }

  async deleteSnapshot(id: string): Promise<boolean> {
    const deleted = this.#parts.history.unpin(id)
    if (deleted) await this.#parts.hooks.onSnapshots?.()
    return deleted
  }

  participate(handler: Participant<TConfig>, options?: ParticipantOptions): () => void {
    return this.#parts.participants.add(handler as Participant<unknown>, options)
  }

  // --- lifecycle ---

  /** Registers an adapter slot; the store reports its state in `status().adapters`. */
  adapterSlot(name: string): (state: AdapterState, error?: unknown) => void {
    const slot: AdapterSlot = { name, state: 'starting' }
    this.#adapters.push(slot)
    return (state, error) => {
      slot.state = state
      if (error !== undefined) slot.lastError = messageOf(error)
      this.#parts.streams.event({
        type: 'adapter',
        name,
        state,
        ...(error === undefined ? {} : { error: messageOf(error) }),
        at: this.#parts.clock(),
      })
    }
  }

  /** A warning for logs, `events$` and `status().warnings`. */
  warn(code: Extract<StoreEvent, { type: 'warning' }>['code'], message: string): void {
    const at = this.#parts.clock()
    this.#warnings.push({ code, message, at })
    this.#parts.logger.warn(message, { code })
    this.#parts.streams.event({ type: 'warning', code, message, at })
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown()
    return this.#closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  get closed(): boolean {
    return this.#closed
  }

  // --- internal ---

  #submit(intent: Intent, meta: UpdateMeta | undefined, source: string) {
    return new Promise<UpdateResult>((resolve) =>
      this.#send(intent, meta, source, [resolve], performance.now()),
    )
  }

  #send(
    intent: Intent,
    meta: UpdateMeta | undefined,
    source: string,
    waiters: Txn['waiters'],
    startedAt: number,
    first = false,
  ): void {
    if (this.#closed) {
      const result: UpdateResult = {
        status: 'rejected',
        errors: [issue('CLOSED', '', 'the store is closed')],
        revision: this.#live.revision,
      }
      for (const waiter of waiters) waiter(result)
      return
    }
    const txn: Txn = {
      id: this.#nextId++,
      intent,
      meta: { ...meta, source: meta?.source ?? source },
      startedAt,
      waiters,
    }
    this.#pending++
    this.#phase(txn, 'started', this.#live.revision)
    if (first) {
      this.#outbox.unshift(txn)
      return
    }
    // Everything submitted in this tick goes in one event, so concurrent callers can share a pass (group commit).
    if (this.#outbox.push(txn) === 1) queueMicrotask(this.#flush)
  }

  readonly #flush = (): void => {
    if (!this.#holding) this.#sendOutbox()
  }

  #sendOutbox(): void {
    const txns = this.#outbox
    if (txns.length === 0) return
    this.#outbox = []
    this.#inFlight += txns.length
    const kind = txns[0]!.intent.kind
    const type: TransactionEvent['type'] = txns.every((t) => t.intent.kind === kind)
      ? `config.${kind}`
      : 'config.batch'
    this.#actor.send({ type, txns })
  }

  #load(meta: UpdateMeta | undefined, waiters: ((result: UpdateResult) => void)[]): void {
    this.#loading = true
    this.#pending++
    const startedAt = performance.now()
    const env = this.#parts.env
    readSources(env)
      .then(async (sources): Promise<Intent> => {
        if (!env.backend) return { kind: 'reload', loaded: { sources } }
        // The backend may be shared by other instances: read it in transaction order. Hold new submissions, let
        // the machine drain, read, then queue the reload first, so nothing slips between the read and its use.
        this.#holding = true
        this.#sendOutbox()
        await this.#machineIdle()
        const overrides = await readOverrides(env)
        return { kind: 'reload', loaded: overrides === undefined ? { sources } : { sources, overrides } }
      })
      .catch(
        (error): Intent => ({
          kind: 'reload',
          failed:
            error instanceof ConfigError ? error.issues : [issue('SOURCE_FAILED', '', messageOf(error))],
        }),
      )
      .then((intent) => {
        this.#loading = false
        this.#holding = false
        this.#send(intent, meta, 'reload', waiters, startedAt, true)
        this.#sendOutbox()
        this.#done()
        const again = this.#again
        this.#again = undefined
        if (again) this.#load(again.meta, again.waiters)
      })
  }

  #machineIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  #done(): void {
    this.#pending--
    if (this.#pending === 0) this.#drained?.()
  }

  async #apply(live: Committed<TConfig>, txn: Txn, prepared: Prepared<TConfig>): Promise<Applied> {
    const { redactor, participants, backend } = this.#parts
    const changes = redactor.changes(prepared.changes)
    let undo = async () => {}
    if (participants.concerns(prepared.changes)) {
      const run = await participants.run(prepared.config, live.config, { ...this.#who(txn), changes })
      if (run.errors) return { ok: false, errors: this.#scrub(run.errors, prepared.config, live.config) }
      undo = run.accepted
    }
    if (!prepared.persist || !this.#saves) return { ok: true }
    const saved = await this.#saves.save(this.#persisted(prepared.layers.overrides, live.revision + 1))
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
    return { ok: false, errors: this.#scrub(errors, prepared.config, live.config) }
  }

  #persisted(overrides: Readonly<Record<string, unknown>>, revision: number): PersistedOverrides {
    return {
      overrides,
      revision,
      updatedAt: this.#parts.clock().toISOString(),
      environment: this.environment,
    }
  }

  #publish(txn: Txn, committed: Committed<TConfig>, prepared: Prepared<TConfig>): void {
    const { revision, at } = committed
    this.#live = committed
    this.#config = committed.config
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
    this.#parts.hooks.onCommit?.(this.#live)
  }

  #settle(txn: Txn, raw: UpdateResult): void {
    const durationMs = performance.now() - txn.startedAt
    const result: UpdateResult =
      raw.status === 'committed' ? { ...raw, changes: this.#parts.redactor.changes(raw.changes) } : raw
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
    this.#records.push(record)
    this.#parts.streams.event({ type: 'transaction', phase: result.status, ...record })
    if (errors.length > 0 && txn.meta.source !== 'api') {
      this.#parts.logger.warn(`${txn.meta.source} ${result.status}:\n${formatIssues(errors)}`)
    }
    this.#parts.hooks.onOutcome?.(record)
    for (const waiter of txn.waiters) waiter(result)
    if (--this.#inFlight === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve()
    this.#done()
  }

  #phase(txn: Txn, phase: TransactionPhase, revision: number): void {
    if (!this.#parts.streams.eventsObserved) return
    this.#parts.streams.event({
      type: 'transaction',
      phase,
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

  #scrub(errors: readonly { code: any; path: string; message: string }[], ...configs: unknown[]) {
    return errors.map((e) => ({ ...e, message: this.#parts.redactor.scrub(e.message, ...configs) }))
  }

  async #shutdown(): Promise<void> {
    this.#closed = true
    await this.#parts.hooks.beforeClose?.()
    if (this.#pending > 0) await new Promise<void>((resolve) => (this.#drained = resolve))
    this.#actor.stop()
    await this.#saves?.drain()
    await this.#parts.hooks.onClose?.()
    this.#parts.streams.complete()
  }
}

/** The committed state after a transaction: one revision more. */
function commitOf<TConfig>(
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
