import type { LayerState, LoadedLayer } from '../layers.ts'
import type { Change, ConfigIssue, PendingRestart, UpdateMeta, UpdateResult } from '../types.ts'

/** What a transaction asks for. The machine does not care which door it came through. */
export type Intent =
  | { readonly kind: 'update'; readonly change: unknown }
  | { readonly kind: 'set'; readonly path: string; readonly value: unknown }
  | { readonly kind: 'reload'; readonly loaded: LoadedLayers }
  | { readonly kind: 'reload'; readonly failed: readonly ConfigIssue[] }
  | { readonly kind: 'reset'; readonly path?: string }
  | { readonly kind: 'rollback'; readonly target: number | string }
  | { readonly kind: 'import'; readonly config: unknown }

/** What a reload read before it was queued; `overrides` only when a backend holds them. */
export interface LoadedLayers {
  readonly sources: readonly LoadedLayer[]
  readonly overrides?: Readonly<Record<string, unknown>>
}

/** One queued transaction and everyone waiting for its result (coalesced reloads share one). */
export interface Txn {
  readonly id: number
  readonly intent: Intent
  readonly meta: UpdateMeta & { readonly source: string }
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
