import type { Immer } from 'immer'
import type { Observable } from 'rxjs'
import { type Actor, createActor } from 'xstate'
import type { z } from 'zod'
import { messageOf } from './error-message.ts'
import { ConfigError, issue } from './errors.ts'
import type { ConfigHistory } from './history.ts'
import { explainPath } from './layers.ts'
import { type PrepareEnv, prepare } from './machines/prepare.ts'
import type { Committed } from './machines/transaction.ts'
import { createTransactionMachine } from './machines/transaction-machine.ts'
import type { ParticipantSet } from './participants.ts'
import { Ring } from './ring.ts'
import type { Redactor } from './schema/redactor.ts'
import { checkSchemaPath } from './schema/schema-path.ts'
import type { StoreCounters } from './stats.ts'
import { StoreEffects } from './store-effects.ts'
import type { StoreStreams } from './streams.ts'
import { Submissions } from './submissions.ts'
import { cloneData } from './tree/clone.ts'
import { diffTrees } from './tree/diff.ts'
import { getAt, type PathReader, pathReaders, splitPath } from './tree/paths.ts'
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
  Snapshot,
  StoreEvent,
  StoreStats,
  StoreStatus,
  TransactionRecord,
  UpdateMeta,
  UpdateResult,
  ValidationResult,
  WarningCode,
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
  readonly optional?: true
  state: AdapterState
  lastError?: string
}

const WARNINGS_KEPT = 50

/** The key rxjs `from()` and other interop libraries look for, as rxjs computes it. */
const OBSERVABLE = ((Symbol as { observable?: symbol }).observable ?? '@@observable') as '@@observable'

/** The store behind `createConfigStore`. Every write goes through the transaction machine. */
/** Typed as `ConfigStore<TConfig>` by `createConfigStore`; inside, configs are plain `TConfig`. */
export class LiveStore<TConfig> {
  #live: Committed<TConfig>
  #config: TConfig
  readonly #parts: StoreParts<TConfig>
  readonly #actor: Actor<ReturnType<typeof createTransactionMachine<TConfig>>>
  readonly #effects: StoreEffects<TConfig>
  readonly #warnings: Ring<{ code: WarningCode; message: string; at: Date }>
  readonly #adapters: AdapterSlot[] = []
  readonly #submissions: Submissions
  /** Compiled readers; a path the schema cannot have throws `NOT_FOUND` once, when first read. */
  readonly #readerOf: (path: string) => PathReader
  #closing: Promise<void> | undefined

  readonly schema: z.ZodType<TConfig>
  readonly environment: string

  constructor(parts: StoreParts<TConfig>) {
    this.#parts = parts
    this.#live = parts.initial
    this.#config = parts.initial.config
    this.schema = parts.schema
    this.environment = parts.environment
    this.#warnings = new Ring(WARNINGS_KEPT)
    this.#readerOf = pathReaders((path, segments) => checkSchemaPath(parts.env.schema, path, segments))
    this.#effects = new StoreEffects(parts, {
      published: (committed) => {
        this.#live = committed
        this.#config = committed.config
      },
      settled: () => this.#submissions.settled(),
      live: () => this.#live,
      warn: (code, message) => this.warn(code, message),
    })
    this.#submissions = new Submissions({
      env: parts.env,
      send: (event) => this.#actor.send(event),
      started: (txn) => this.#effects.phase(txn, 'started', this.#live.revision),
      revision: () => this.#live.revision,
      reentrant: () => parts.participants.calling,
    })
    const machine = createTransactionMachine<TConfig>(this.#effects, parts.initial)
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
    return this.#readerOf(path)(this.#config)
  }

  getSnapshot(): TConfig {
    return this.#config
  }

  subscribe(
    listener:
      | ((config: TConfig) => void)
      | { next?: (config: TConfig) => void; complete?: () => void; error?: (error: unknown) => void },
  ): {
    unsubscribe(): void
  } {
    const observer = typeof listener === 'function' ? { next: listener } : listener
    let first = true
    // config$ replays; xstate's subscribe does not, so skip the replayed value.
    return this.config$.subscribe({
      next: (c) => {
        if (first) first = false
        else observer.next?.(c)
      },
      complete: () => observer.complete?.(),
      error: (error: unknown) => observer.error?.(error),
    })
  }

  /** Interop (`from(store)` in rxjs): the store is its own observable of committed configs. */
  [OBSERVABLE]() {
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
    return this.#parts.streams.select(this.#readerOf(selector))
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
    return this.#effects.records.newest(options.limit)
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
      pendingRestart: this.#parts.redactor.restarts(this.#live.pendingRestart),
      historySize: this.#parts.history.size,
      snapshots: this.#parts.history.snapshots().length,
      participants: this.#parts.participants.size,
      observers: this.#parts.streams.hooks.observers,
      closed: this.#submissions.closed,
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
    return this.#submissions.submit({ kind: 'update', change }, meta, 'api')
  }

  set(path: string, value: unknown, meta?: UpdateMeta): Promise<UpdateResult> {
    if (path === '') return this.update(value as ConfigChange<TConfig>, meta)
    return this.#submissions.submit({ kind: 'set', path, value }, meta, 'api')
  }

  async validate(change: ConfigChange<TConfig>): Promise<ValidationResult> {
    const outcome = prepare(this.#parts.env, this.#live, { kind: 'update', change })
    if (outcome.kind === 'rejected') return { ok: false, errors: outcome.errors }
    return {
      ok: true,
      changes: outcome.kind === 'ready' ? this.#parts.redactor.changes(outcome.prepared.changes) : [],
    }
  }

  /** Reads every layer, then queues one transaction (see `Submissions.reload`). */
  reload(meta?: UpdateMeta): Promise<UpdateResult> {
    return this.#submissions.reload(meta)
  }

  reset(path?: string, meta?: UpdateMeta): Promise<UpdateResult> {
    try {
      // A parked override (a key a newer schema wrote) is no path of this schema, yet reset must reach it.
      if (path !== undefined && getAt(this.#live.layers.parked, splitPath(path)) === undefined)
        this.#readerOf(path)
    } catch (error) {
      return Promise.reject(error)
    }
    return this.#submissions.submit(
      path === undefined ? { kind: 'reset' } : { kind: 'reset', path },
      meta,
      'reset',
    )
  }

  rollback(target: number | string, meta?: UpdateMeta): Promise<UpdateResult> {
    return this.#submissions.submit({ kind: 'rollback', target }, meta, 'rollback')
  }

  import(doc: ExportDocument | { config: unknown }, meta?: UpdateMeta): Promise<UpdateResult> {
    return this.#submissions.submit({ kind: 'import', config: doc?.config }, meta, 'import')
  }

  async snapshot(options: { label?: string; tags?: readonly string[] } = {}): Promise<Snapshot> {
    this.#refuseClosed('snapshot')
    const snap = this.#parts.history.pin(this.#live.revision, this.#config, options, this.#parts.clock())
    await this.#parts.hooks.onSnapshots?.()
    return snap
  }

  async deleteSnapshot(id: string): Promise<boolean> {
    this.#refuseClosed('deleteSnapshot')
    const deleted = this.#parts.history.unpin(id)
    if (deleted) await this.#parts.hooks.onSnapshots?.()
    return deleted
  }

  participate(handler: Participant<TConfig>, options?: ParticipantOptions): () => void {
    // A typo in `paths` would make a participant that is never called.
    for (const path of options?.paths ?? []) this.#readerOf(path)
    return this.#parts.participants.add(handler as Participant<unknown>, options)
  }

  // --- lifecycle ---

  /** Registers an adapter slot; the store reports its state in `status().adapters`. */
  adapterSlot(name: string, optional = false): (state: AdapterState, error?: unknown) => void {
    const slot: AdapterSlot = optional ? { name, optional, state: 'starting' } : { name, state: 'starting' }
    this.#adapters.push(slot)
    return (state, error) => {
      slot.state = state
      // An adapter's error may quote what it read (a file, an etcd value): scrubbed like every message.
      const message =
        error === undefined ? undefined : this.#parts.redactor.scrub(messageOf(error), this.#config)
      if (message !== undefined) slot.lastError = message
      this.#parts.streams.event({
        type: 'adapter',
        name,
        state,
        ...(message === undefined ? {} : { error: message }),
        at: this.#parts.clock(),
      })
    }
  }

  /** A warning for logs, `events$` and `status().warnings`. */
  warn(code: WarningCode, text: string): void {
    // Every warning leaves through here: scrubbed of the live secrets whoever wrote it.
    const message = this.#parts.redactor.scrub(text, this.#config)
    const at = this.#parts.clock()
    this.#warnings.push({ code, message, at })
    this.#parts.logger.warn(message, { code })
    this.#parts.streams.event({ type: 'warning', code, message, at })
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown()
    if (!this.#parts.participants.calling) return this.#closing
    // Waiting would mean waiting for its own transaction: a participant gets a store closed to writes, now.
    this.#closing.catch((error: unknown) => this.#parts.logger.error(`close failed: ${messageOf(error)}`))
    return Promise.resolve()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  get closed(): boolean {
    return this.#submissions.closed
  }

  // --- internal ---

  /** Snapshots are not transactions (they return a `Snapshot`, not an `UpdateResult`), so a closed store throws. */
  #refuseClosed(method: string): void {
    if (this.closed) throw new ConfigError(issue('CLOSED', '', `${method}(): the store is closed`))
  }

  async #shutdown(): Promise<void> {
    this.#submissions.close()
    await this.#parts.hooks.beforeClose?.()
    await this.#submissions.drained()
    this.#actor.stop()
    await this.#effects.saves?.drain()
    await this.#parts.hooks.onClose?.()
    this.#parts.streams.complete()
  }
}
