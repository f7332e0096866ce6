import type { z } from 'zod'
import type { TransactionTracer } from '../diagnostics.ts'
import type { ConfigHistory } from '../history.ts'
import type { LoadedLayer } from '../layers.ts'
import type { SaveQueue } from '../persist/save-queue.ts'
import type { Ring } from '../ring.ts'
import type { Redactor } from '../schema/redactor.ts'
import type { StoreCounters } from '../stats.ts'
import type { StoreStreams } from '../streams.ts'
import type {
  ConfigSource,
  Logger,
  OverridesBackend,
  TransactionRecord,
  UpdateMeta,
  UpdateResult,
  WarningCode,
} from '../types.ts'
import type { ParticipantSet } from './participants.ts'
import type { ProbationPolicy } from './probation-step.ts'
import type { Committed, Intent, TransactionEffects, Txn, Validated } from './transaction.ts'

/** Everything the transaction pipeline is built from; the store assembles it. */
export interface PipelineParts<TConfig> {
  readonly initial: Committed<TConfig>
  readonly schema: z.ZodType
  /** The paths marked `restart()`: changed at runtime they are refused, on a reload deferred. */
  readonly restartPaths: readonly string[]
  readonly sources: readonly ConfigSource[]
  /** Time each source read and backend load has (`loadTimeoutMs`). */
  readonly loadTimeoutMs: number
  /** Reports what loaded layers left out (see `sourceWarnings`). */
  readonly warnSources: (layers: readonly LoadedLayer[]) => void
  readonly participants: ParticipantSet
  readonly backend: OverridesBackend | undefined
  /** Time a save of the overrides has before its transaction is rolled back. */
  readonly persistTimeoutMs: number
  readonly environment: string
  readonly history: ConfigHistory<TConfig>
  readonly streams: StoreStreams<TConfig>
  /** The `hotconf:transaction` TracingChannel's publisher. */
  readonly tracer: TransactionTracer
  readonly counters: StoreCounters
  readonly redactor: Redactor
  readonly logger: Logger
  readonly clock: () => Date
  /** Transaction outcomes kept for `events()`. */
  readonly eventsLimit: number
  readonly inspect?: (event: unknown) => void
  readonly warn: (code: WarningCode, message: string) => void
  /** Which sources' changes go on probation, and for how long; none without the store option. */
  readonly probation?: ProbationPolicy | undefined
  /** After every outcome (the audit log). */
  readonly onOutcome?: ((record: TransactionRecord) => void) | undefined
  /** After every commit (the last known good config). */
  readonly onCommit?: ((committed: Committed<TConfig>) => void) | undefined
  /** After a reload adopted fresh layers without a commit (another instance renewed a deadline, say). */
  readonly onRefresh?: (() => void) | undefined
}

/** What the pipeline's door and its effects share: the committed state, the numbering, whether writes are refused. */
export interface Ledger<TConfig> {
  live: Committed<TConfig>
  nextId: number
  closed: boolean
}

/** The machine's effects for one store, and what they keep: outcome records and the queue of saves. */
export interface PipelineEffects<TConfig> extends TransactionEffects<TConfig> {
  /** Transaction outcomes, newest last, for `events()`. */
  readonly records: Ring<TransactionRecord>
  /** Saves of the overrides, one at a time and each within `persistTimeoutMs`; none without a backend. */
  readonly saves: SaveQueue | undefined
  /** Numbers a transaction and reports its `started` step; `undefined` (its waiters told) once writes are refused. */
  open(
    intent: Intent,
    meta: UpdateMeta | undefined,
    source: string,
    waiters: Txn['waiters'],
    startedAt: number,
  ): Txn | undefined
  /** The validating step alone, against the live state: nothing is queued or committed. */
  dryRun(intent: Intent): Validated<TConfig>
  /** The result of a write refused before it reached the machine. */
  refused(code: 'CLOSED' | 'REENTRANT' | 'MISSING_DEPENDENCY', message: string): UpdateResult
}
