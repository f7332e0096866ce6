import type { Observable, Subscribable } from 'rxjs'
import type { z } from 'zod'
import { ConfigError, issue } from '../errors.ts'
import { pendingExpiries } from '../expiries.ts'
import type { ConfigHistory } from '../history.ts'
import { explainPath } from '../layer-origins.ts'
import { parkedList } from '../layer-overrides.ts'
import type { ParticipantSet } from '../machines/participants.ts'
import type { Transactor } from '../machines/transactor.ts'
import { pendingProbation } from '../probation.ts'
import type { Redactor } from '../schema/redactor.ts'
import { checkSchemaPath } from '../schema/schema-path.ts'
import type { StoreCounters } from '../stats.ts'
import type { StoreStreams } from '../streams.ts'
import { cloneData } from '../tree/clone.ts'
import { diffTrees } from '../tree/diff.ts'
import { type PathReader, pathReaders } from '../tree/paths.ts'
import type {
  Adapter,
  ChangeSet,
  ExportDocument,
  HistoryEntry,
  Logger,
  OverridesBackend,
  Snapshot,
  StoreEvent,
  StoreStats,
  StoreStatus,
  TransactionRecord,
} from '../types.ts'
import type { ExpiryTimer } from './expiry-timer.ts'
import type { StoreNotices } from './notices.ts'
import type { ProbationTimer } from './probation-timer.ts'
import type { StoreFiles } from './store-files.ts'

/** What a store is made of once it has started; `createConfigStore` assembles it. */
export interface StoreCore<TConfig> {
  readonly schema: z.ZodType<TConfig>
  readonly environment: string
  readonly transactor: Transactor<TConfig>
  readonly history: ConfigHistory<TConfig>
  readonly streams: StoreStreams<TConfig>
  readonly counters: StoreCounters
  readonly participants: ParticipantSet
  readonly notices: StoreNotices
  /** Resets expiring overrides when their deadline passes. */
  readonly expiry: ExpiryTimer
  /** Runs the checks of changes on probation and ends each. */
  readonly probation: ProbationTimer<TConfig>
  readonly redactor: Redactor
  readonly backend: OverridesBackend | undefined
  readonly files: StoreFiles
  readonly logger: Logger
  readonly clock: () => Date
  readonly adapters: readonly Adapter<TConfig>[]
  /** After the machine stopped: release files and connections. */
  readonly release: () => Promise<void>
}

/** The key rxjs `from()` and other interop libraries look for, as rxjs computes it. */
const OBSERVABLE = ((Symbol as { observable?: symbol }).observable ?? '@@observable') as '@@observable'

/**
 * The read API of a store: everything that answers from the committed state (`transactor.state.live`), its history and
 * its streams, and changes nothing. Inside, configs are plain `TConfig`; the contract's types are deeply readonly,
 * hence `any` at that border.
 */
export abstract class StoreReads<TConfig> {
  readonly schema: z.ZodType<TConfig>
  readonly environment: string
  /** Compiled readers; a path the schema cannot have throws `NOT_FOUND` once, when first read. */
  protected readonly readerOf: (path: string) => PathReader

  /** The pipeline's ledger, held here so a read is two property loads (see `Transactor.state`). */
  protected readonly state: Transactor<TConfig>['state']

  constructor(protected readonly core: StoreCore<TConfig>) {
    this.state = core.transactor.state
    this.schema = core.schema
    this.environment = core.environment
    this.readerOf = pathReaders((path, segments) => checkSchemaPath(core.schema, path, segments))
  }

  abstract readonly closed: boolean

  get current(): any {
    return this.state.live.config
  }

  get revision(): number {
    return this.state.live.revision
  }

  get(path: string): any {
    return this.readerOf(path)(this.state.live.config)
  }

  getSnapshot(): any {
    return this.state.live.config
  }

  subscribe(
    listener:
      | ((config: any) => void)
      | { next?: (config: any) => void; complete?: () => void; error?: (error: unknown) => void },
  ): { unsubscribe(): void } {
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

  // The contract's name for the method above: `Symbol.observable` is undefined on Node, so it is defined by key.
  declare [Symbol.observable]: () => Subscribable<any>

  get config$(): Observable<any> {
    return this.core.streams.config$
  }

  get changes$(): Observable<ChangeSet> {
    return this.core.streams.changes$
  }

  get events$(): Observable<StoreEvent> {
    return this.core.streams.events$
  }

  select(selector: string | ((config: any) => unknown)): Observable<any> {
    if (typeof selector === 'function') return this.core.streams.select(selector)
    return this.core.streams.select(this.readerOf(selector))
  }

  explain(path: string) {
    const { layers } = this.state.live
    const explained = explainPath(layers, path, this.get(path), this.core.redactor)
    const deadline = layers.expiries.get(path)
    if (!deadline) return explained
    return { ...explained, expires: { at: new Date(deadline.at), revision: deadline.revision } }
  }

  redact(value: unknown, path = ''): unknown {
    return this.core.redactor.value(value, path)
  }

  sources() {
    const { backend } = this.core
    return [
      ...this.state.live.layers.sources.map((s) => ({ name: s.name, files: s.files })),
      // The overrides file is no layer, but watchers want it.
      ...(backend ? [{ name: backend.name, files: backend.files ?? [] }] : []),
    ]
  }

  history(options: { limit?: number } = {}): readonly HistoryEntry[] {
    return this.core.history.entries(options.limit)
  }

  events(options: { limit?: number } = {}): readonly TransactionRecord[] {
    return this.core.transactor.records.newest(options.limit)
  }

  snapshots(filter: { tag?: string } = {}): readonly Snapshot[] {
    return this.core.history.snapshots(filter.tag)
  }

  diff(fromRevision: number, toRevision = this.revision) {
    const from = this.core.history.configAt(fromRevision)
    const to = this.core.history.configAt(toRevision)
    if (!from || !to) {
      const missing = from ? toRevision : fromRevision
      throw new ConfigError(issue('NOT_FOUND', '', `revision ${missing} is not retained`))
    }
    return this.core.redactor.changes(diffTrees(from.config, to.config))
  }

  export(options: { includeSecrets?: boolean } = {}): ExportDocument {
    const config = cloneData(this.state.live.config)
    return {
      revision: this.revision,
      environment: this.environment,
      config: options.includeSecrets ? config : this.core.redactor.value(config),
      exportedAt: this.core.clock().toISOString(),
    }
  }

  status(): StoreStatus {
    const live = this.state.live
    const notices = this.core.notices.status()
    return {
      revision: live.revision,
      environment: this.environment,
      updatedAt: live.at,
      pendingRestart: this.core.redactor.restarts(live.pendingRestart),
      historySize: this.core.history.size,
      snapshots: this.core.history.snapshots().length,
      participants: this.core.participants.size,
      observers: this.core.streams.hooks.observers,
      closed: this.closed,
      ...notices,
      parked: parkedList(live.layers.parked, notices.warnings),
      sources: this.sources(),
      expiring: pendingExpiries(live.layers.expiries),
      probation: pendingProbation(live.layers.probation),
    }
  }

  stats(): StoreStats {
    return this.core.counters.snapshot()
  }
}
