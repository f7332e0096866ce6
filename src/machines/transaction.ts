import type { Expiries, ExpiryRef, ExpiryStamp } from '../expiries.ts'
import type { LayerState, LoadedLayer } from '../layers.ts'
import type { Probations } from '../probation.ts'
import type {
  Change,
  ConfigIssue,
  PendingRestart,
  TransactionPhase,
  UpdateMeta,
  UpdateResult,
} from '../types.ts'

/** What a transaction asks for. The machine does not care which door it came through. */
export type Intent =
  | ({ readonly kind: 'update'; readonly change: unknown } & WriteExtras)
  | ({ readonly kind: 'set'; readonly path: string; readonly value: unknown } & WriteExtras)
  | { readonly kind: 'reload'; readonly loaded: LoadedLayers }
  | { readonly kind: 'reload'; readonly failed: readonly ConfigIssue[] }
  /** `expired`: the deadlines that passed, reset only where each is still the one set (`source: 'expiry'`). */
  | { readonly kind: 'reset'; readonly path?: string; readonly expired?: readonly ExpiryRef[] }
  | { readonly kind: 'rollback'; readonly target: number | string }
  | { readonly kind: 'import'; readonly config: unknown }
  /** Ends the probation of `revision`: keeps it, or reverts what it changed where its values still hold. */
  | { readonly kind: 'probation'; readonly revision: number; readonly end: 'confirm' | 'revert' }

/** What a runtime write may ask for besides its values: a deadline for its overrides, a probation for its change. */
export interface WriteExtras {
  readonly expires?: ExpiryStamp
  /** Milliseconds the committed change stays on probation. */
  readonly probation?: number
}

/** What a reload read before it was queued; `overrides` only when a backend holds them. */
export interface LoadedLayers {
  readonly sources: readonly LoadedLayer[]
  readonly overrides?: PersistedLayer
}

/** The overrides as a backend holds them, with their deadlines. */
export interface PersistedLayer {
  readonly overrides: Readonly<Record<string, unknown>>
  readonly expiries: Expiries
  readonly probation: Probations
}

/** One queued transaction and everyone waiting for its result (coalesced reloads share one). */
export interface Txn {
  readonly id: number
  readonly intent: Intent
  readonly meta: UpdateMeta & { readonly source: string }
  readonly startedAt: number
  readonly waiters: readonly ((result: UpdateResult) => void)[]
}

/**
 * A reload asked for: when, with what meta, and everyone waiting for it. Reloads asked for while one is read join
 * the next read (a reload is idempotent), so they share its `waiters`.
 */
export interface ReloadRequest {
  readonly meta: UpdateMeta | undefined
  /** Files the caller has just read (`ReloadMeta.contents`), for the sources instead of reading them again. */
  readonly contents?: ReadonlyMap<string, Uint8Array>
  readonly startedAt: number
  readonly waiters: readonly ((result: UpdateResult) => void)[]
}

/** The live, committed state. Replaced whole, by one reference assignment, in `notifying`. */
export interface Committed<TConfig> {
  readonly config: TConfig
  readonly revision: number
  readonly layers: LayerState
  readonly at: Date
  readonly pendingRestart: readonly PendingRestart[]
  readonly persistedVersion?: string
}

/** A validated candidate, ready to apply. */
export interface Prepared<TConfig> {
  readonly config: TConfig
  readonly layers: LayerState
  /** Raw changes (real values): for overrides and participants' filters, never shown. */
  readonly changes: readonly Change[]
  /** `restart` keys waiting for a process restart after this commit. */
  readonly pendingRestart: readonly PendingRestart[]
  /** True when the overrides changed at runtime and must be persisted. */
  readonly persist: boolean
  readonly rollbackOf?: number
  readonly persistedVersion?: string
}

/** The outcome of the validating step. */
export type Validated<TConfig> =
  | { readonly kind: 'ready'; readonly prepared: Prepared<TConfig> }
  /** `layers`: what a reload read, adopted without a revision (a hidden file value must not go stale). */
  | { readonly kind: 'unchanged'; readonly layers?: LayerState }
  | { readonly kind: 'rejected'; readonly errors: readonly ConfigIssue[] }

/** The outcome of the applying step. */
export type Applied =
  | { readonly ok: true; readonly persistedVersion?: string }
  | { readonly ok: false; readonly errors: readonly ConfigIssue[] }

/** The work the machine delegates; each piece named, so a test can hand the machine stubs. */
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
  /**
   * A reload's first read: every source, taking the bytes of `contents` rather than reading those files again.
   * Rejects with a `ConfigError` listing every issue.
   */
  readSources(contents?: ReadonlyMap<string, Uint8Array>): Promise<readonly LoadedLayer[]>
  /** A reload's second read, only with an overrides backend (another instance may have written it). */
  readonly readOverrides?: () => Promise<PersistedLayer>
  /**
   * Turns a read reload into a numbered transaction (reporting its `started` step); `undefined` when the store
   * closed meanwhile, after answering its waiters.
   */
  admit(request: ReloadRequest, intent: Intent): Txn | undefined
}

/**
 * Every event the machine takes. Writes are namespaced by what they ask (`config.update`, `config.reload`, ...)
 * and carry the transactions submitted in one tick; `config.batch` when they ask for different things. A reload is
 * first a request to the loader, which reads the layers and then queues its transaction.
 */
export type TransactionEvent =
  | { readonly type: `config.${Txn['intent']['kind'] | 'batch'}`; readonly txns: readonly Txn[] }
  | { readonly type: 'reload.request'; readonly request: ReloadRequest }

/** One transaction of the current pass and what validating made of it. */
export interface Step<TConfig> {
  readonly txn: Txn
  readonly validated: Validated<TConfig>
}

export interface TransactionContext<TConfig> {
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
  /** The loader: the reload whose layers are being read. */
  readonly reading: ReloadRequest | undefined
  /** Reloads asked for while one is read: they share the next read. */
  readonly nextReload: ReloadRequest | undefined
  /** What the reload read from the sources, kept while it waits to read the backend. */
  readonly loaded: readonly LoadedLayer[]
  /** While the backend is read, new transactions wait here (not in `queue`) and run after the reload. */
  readonly held: readonly Txn[] | undefined
}
