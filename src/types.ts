import type { Observable, Subscribable } from 'rxjs'
import type { z } from 'zod'

// --- paths ---

type Leaf =
  | string
  | number
  | boolean
  | bigint
  | symbol
  | null
  | undefined
  | Date
  | RegExp
  | ((...args: never[]) => unknown)
type Depth = [never, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]

/**
 * Every dotted path of `T` (objects only; arrays are leaves). A typo is a compile error.
 * For `unknown` (a store of any config) every string is a path.
 */
export type Path<T, D extends number = 10> = unknown extends T
  ? string
  : [D] extends [never]
    ? never
    : T extends Leaf | readonly unknown[]
      ? never
      : {
          [K in keyof T & string]: NonNullable<T[K]> extends Leaf | readonly unknown[]
            ? K
            : K | `${K}.${Path<NonNullable<T[K]>, Depth[D]>}`
        }[keyof T & string]

/** The type of the value at dotted path `P` of `T`; optional parents make it `| undefined`; `unknown` for `unknown`. */
export type PathValue<T, P extends string> = unknown extends T
  ? T
  : P extends `${infer H}.${infer R}`
    ? H extends keyof T
      ? undefined extends T[H]
        ? PathValue<NonNullable<T[H]>, R> | undefined
        : PathValue<T[H], R>
      : never
    : P extends keyof T
      ? T[P]
      : never

/** Objects merge key by key; arrays and scalars replace (`unknown` stays `unknown`). */
export type DeepPartial<T> = T extends Leaf | readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | (undefined extends T[K] ? undefined : never) }
    : T

/** What readers get: the committed config is frozen at every depth (`unknown` stays `unknown`). */
export type DeepReadonly<T> = T extends Leaf
  ? T
  : T extends readonly (infer E)[]
    ? readonly DeepReadonly<E>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T

/** An immer recipe: mutate the draft, hotconf produces the next frozen config. */
export type Recipe<TConfig> = (draft: TConfig) => void

/** A change given to `update`/`validate`: a deep-partial patch or an immer recipe. */
export type ConfigChange<TConfig> = DeepPartial<TConfig> | Recipe<TConfig>

// --- issues and errors ---

/** Every problem hotconf reports, whatever door it came through. */
export type ConfigIssueCode =
  | 'INVALID'
  | 'UNKNOWN_KEY'
  | 'FORBIDDEN_KEY'
  | 'RESTART_REQUIRED'
  | 'STALE_REVISION'
  | 'PARTICIPANT_FAILED'
  | 'PARTICIPANT_TIMEOUT'
  | 'PERSIST_FAILED'
  | 'PARSE_ERROR'
  | 'SOURCE_MISSING'
  | 'SOURCE_FAILED'
  /** A source's read or the overrides backend's load did not settle within `loadTimeoutMs`. */
  | 'SOURCE_TIMEOUT'
  | 'NOT_FOUND'
  | 'CLOSED'
  /** A write called from inside a participant of the same store: it would wait for its own transaction. */
  | 'REENTRANT'
  | 'BAD_OPTIONS'
  | 'MISSING_DEPENDENCY'
  | 'ADAPTER_FAILED'

/** One problem with one place: the dotted config path (`''` for the root) and, for files, where in the file. */
export interface ConfigIssue {
  readonly code: ConfigIssueCode
  readonly path: string
  readonly message: string
  /** The file (or env var, or etcd key) the problem came from, when there is one. */
  readonly source?: string
  readonly line?: number
  readonly column?: number
  /** The original zod issue, kept for detail, when the schema raised it. */
  readonly zod?: z.core.$ZodIssue
}

// --- transactions ---

/** Who and why, carried into history, events and the audit log. */
export interface UpdateMeta {
  /** Who asked (a user, a token name, a service). */
  readonly actor?: string
  /** Why, in words. */
  readonly reason?: string
  /** Which door the change came through. @default 'api' */
  readonly source?: string
  /** Commit only if the live revision is still this one, else `rejected` with `STALE_REVISION`. */
  readonly expectedRevision?: number
}

/** `UpdateMeta` for a reload: it may hand over files the caller has just read, so the reload does not read them again. */
export interface ReloadMeta extends UpdateMeta {
  /**
   * Files the caller has just read whole, by absolute path, with their bytes (a watcher that read a saved file to
   * see whether it changed): a source behind one of them takes these bytes instead of reading the file again
   * (`SourceContext.contents`), and one that finds the bytes it last read keeps its layer as it is. The bytes must be
   * what the file held when read: the reload treats them as a read of its own. Reloads that share a read (asked
   * for while one is under way) use the contents only when every one of them handed some, the later bytes winning.
   * Kept out of history and events.
   */
  readonly contents?: readonly FileContent[]
}

/** A file's bytes as read: `ReloadMeta.contents`. */
export interface FileContent {
  /** Absolute path, as the source lists it in `SourceData.files`. */
  readonly file: string
  readonly bytes: Uint8Array
}

/** `UpdateMeta` for a write that sets values (`update`, `set`): it may also give the overrides it writes a deadline. */
export interface WriteMeta<TConfig = unknown> extends UpdateMeta {
  /**
   * The overrides this write changes expire this many milliseconds from now: a transaction (`source: 'expiry'`)
   * then resets them, as `reset(path)` would. A later write to the same path replaces the deadline, or clears it
   * when it has none. A positive integer. @default no deadline
   */
  readonly ttlMs?: number
  /**
   * Put the change this write commits on probation: for `forMs` the store's checks (`ConfigStoreOptions.probation`)
   * and `check` run every `everyMs`; one that returns false or throws reverts the change (only the paths it changed,
   * where they still hold its values) as a transaction with `source: 'probation'`. When `forMs` passes cleanly the
   * change is confirmed. `confirm(revision)` and `revert(revision)` end it by hand. `check` lives in this process
   * only: after a restart the store's checks alone decide. @default no probation, or the store's for its `sources`
   */
  readonly probation?: { readonly forMs: number; readonly check?: ProbationCheck<TConfig> }
}

/**
 * A health check of a change on probation: false or a throw (its message is the reason) reverts the change. Runs
 * every `everyMs`, at most `participantTimeoutMs` each (a check that does not settle by then has failed).
 */
export type ProbationCheck<TConfig = unknown> = (probe: {
  /** The revision on probation. */
  readonly revision: number
  /** The live config. */
  readonly config: DeepReadonly<TConfig>
}) => boolean | Promise<boolean>

/** A committed change on probation, as `status().probation` lists it. */
export interface PendingProbation {
  readonly revision: number
  /** When it is confirmed if no check fails before (wall clock; in-process the store waits on a monotonic clock). */
  readonly until: Date
  readonly source: string
  readonly actor?: string
  /** The paths it changed (a revert puts back those that still hold its values). */
  readonly paths: readonly string[]
}

/** A runtime override with a deadline, as `status().expiring` lists it. */
export interface PendingExpiry {
  readonly path: string
  /** When it expires (wall clock; in-process the store waits on a monotonic clock). */
  readonly at: Date
  /** The revision whose write set the deadline. */
  readonly revision: number
  readonly actor?: string
}

/** One changed leaf. Secret values are `'[redacted]'`. */
export interface Change {
  readonly path: string
  readonly from: unknown
  readonly to: unknown
}

/** A `restart` key whose new value waits for a process restart. */
export interface PendingRestart {
  readonly path: string
  readonly live: unknown
  readonly next: unknown
}

/** The outcome of every write. Update methods never throw for bad input. */
export type UpdateResult =
  | {
      readonly status: 'committed'
      readonly revision: number
      readonly changes: readonly Change[]
      readonly pendingRestart?: readonly PendingRestart[]
    }
  | { readonly status: 'unchanged'; readonly revision: number }
  | { readonly status: 'rejected'; readonly errors: readonly ConfigIssue[]; readonly revision: number }
  | { readonly status: 'rolledBack'; readonly errors: readonly ConfigIssue[]; readonly revision: number }

/** The outcome of a dry run. */
export type ValidationResult =
  | { readonly ok: true; readonly changes: readonly Change[] }
  | { readonly ok: false; readonly errors: readonly ConfigIssue[] }

/** One committed transaction, as `changes$` delivers it. */
export interface ChangeSet {
  /** The transaction's id, as `events()` and the `events$` steps of the same transaction carry it. */
  readonly id: number
  readonly revision: number
  readonly at: Date
  readonly source: string
  readonly actor?: string
  readonly reason?: string
  readonly changes: readonly Change[]
}

/** A history entry: the change set plus how long the transaction took. */
export interface HistoryEntry extends ChangeSet {
  readonly durationMs: number
  /** The revision this one rolled back to, for rollbacks. */
  readonly rollbackOf?: number
  /** The persisted version (e.g. the etcd revision) this commit was stored or read at. */
  readonly persistedVersion?: string
}

/** The outcome of one transaction attempt, kept by `events()` whatever its status. */
export interface TransactionRecord {
  readonly id: number
  readonly status: UpdateResult['status']
  readonly revision: number
  readonly source: string
  readonly actor?: string
  readonly reason?: string
  readonly at: Date
  readonly durationMs: number
  readonly changes: readonly Change[]
  readonly errors: readonly ConfigIssue[]
}

/** What a transaction was asked to do: the store method that started it. */
export type TransactionIntent = 'update' | 'set' | 'reload' | 'reset' | 'rollback' | 'import' | 'probation'

/** The lifecycle steps of a transaction, in order. */
export type TransactionPhase =
  | 'started'
  | 'validating'
  | 'rejected'
  | 'unchanged'
  | 'applying'
  | 'rolledBack'
  | 'notifying'
  | 'committed'

/** What a warning is about: an issue code, or a problem the store recovered from on its own. */
export type WarningCode =
  | ConfigIssueCode
  | 'OBSERVER_FAILED'
  | 'COMPENSATION_FAILED'
  | 'CORRUPT_FILE'
  | 'LAST_KNOWN_GOOD'
  /** An expiring override could not be reset (the config without it is invalid); retried after the next commit. */
  | 'EXPIRY_FAILED'
  /** A change on probation could not be reverted or confirmed (the config without it is invalid); retried after the next commit. */
  | 'PROBATION_FAILED'

/** What `events$` carries. */
export type StoreEvent =
  | {
      readonly type: 'transaction'
      readonly phase: TransactionPhase
      readonly id: number
      readonly intent: TransactionIntent
      readonly source: string
      readonly actor?: string
      readonly reason?: string
      /** The live revision after this step. */
      readonly revision: number
      readonly at: Date
      readonly changes?: readonly Change[]
      readonly errors?: readonly ConfigIssue[]
      readonly durationMs?: number
    }
  | {
      readonly type: 'warning'
      readonly code: WarningCode
      readonly message: string
      readonly path?: string
      readonly at: Date
    }
  | {
      readonly type: 'probation'
      /** `started` after the change commits; `confirmed` or `reverted` once the transaction that ends it commits. */
      readonly phase: 'started' | 'confirmed' | 'reverted'
      readonly revision: number
      readonly until: Date
      /** Why it was reverted (the failing check), or who ended it by hand. */
      readonly message?: string
      readonly at: Date
    }
  | {
      readonly type: 'adapter'
      readonly name: string
      readonly state: AdapterState
      readonly error?: string
      readonly at: Date
    }

// --- participants ---

/** What a participant learns about the transaction it takes part in. */
export interface TransactionInfo {
  readonly id: number
  readonly source: string
  readonly actor?: string
  readonly reason?: string
  readonly changes: readonly Change[]
  /** True when called again with `(prev, next)` to undo an accepted change. */
  readonly compensating: boolean
  /** Aborted when the participant's time is up. */
  readonly signal: AbortSignal
}

/**
 * Brings a live component to `next`. Throw (or reject) to veto: the transaction rolls back. Reads and `validate()`
 * of the store work inside it; its writes (`update`, `set`, `reload`, `reset`, `rollback`, `import`) resolve at once
 * `rejected` with `REENTRANT`, since they would wait for the transaction that waits for the participant. A write
 * scheduled to run after the participant returned is accepted.
 */
export type Participant<TConfig> = (
  next: DeepReadonly<TConfig>,
  prev: DeepReadonly<TConfig>,
  txn: TransactionInfo,
) => void | Promise<void>

export interface ParticipantOptions<TConfig = unknown> {
  /** Called only when a changed path starts with one of these (or lies above one). @default every change */
  readonly paths?: readonly string[]
  /** @default the store's participantTimeoutMs */
  readonly timeoutMs?: number
  /** Shown in errors and status. @default the handler's name */
  readonly name?: string
  /**
   * Opts the participant in to probation: this check runs with the store's while changes are on probation, and one
   * that fails reverts the changes on probation that touch its `paths` (all of them without `paths`), newest first.
   */
  readonly check?: ProbationCheck<TConfig>
}

// --- sources and layers ---

/** What a source is told when it loads. */
export interface SourceContext {
  readonly environment: string
  readonly schema: z.ZodType
  /** Aborted when the store stops waiting for this read (`loadTimeoutMs`); what it returns after that is dropped. */
  readonly signal?: AbortSignal
  /**
   * Bytes of files the reload's caller has just read, by absolute path (`ReloadMeta.contents`): a source reads its
   * file from here when it is listed, as fresh as a read of its own, and from disk otherwise.
   */
  readonly contents?: ReadonlyMap<string, Uint8Array>
}

/** Where a layer set a value: its file with line and column, its env var, its etcd key. */
export interface ValueOrigin {
  readonly source: string
  readonly line?: number
  readonly column?: number
}

/** What a source returns: a partial config and, per path, a finer layer name (env var names). */
export interface SourceData {
  /** The layer's values; `undefined` when an optional source is absent. */
  readonly data: Readonly<Record<string, unknown>> | undefined
  /** The resolved layer name (e.g. with `{environment}` expanded); defaults to the source's `name`. */
  readonly name?: string
  /** Absolute paths of the files behind the layer (present or not), for watchers. */
  readonly files?: readonly string[]
  /** An opaque version of what was read (an etcd revision, a content hash), recorded in history. */
  readonly version?: string
  /** A finer layer label for a path (e.g. `env:APP_POOL__MAX`); defaults to the source's name. */
  readonly origin?: (path: string) => string | undefined
  /**
   * Where the layer set the value at each of `paths` (dotted paths it has a value at, or under), for issues the
   * schema finds later: the store names the layer that supplied an offending value. Called only when something is
   * wrong, so it may parse again what it read. Without it, issues name the layer by `origin` or `name`.
   */
  readonly locate?: (paths: readonly string[]) => readonly (ValueOrigin | undefined)[]
  /**
   * Problems the layer left out rather than failed on (an env var under the prefix that names no key). The store
   * reports each once (`status().warnings`, the logger), not again on every reload.
   */
  readonly warnings?: readonly ConfigIssue[]
}

/** A layer between the schema defaults and the runtime overrides. */
export interface ConfigSource {
  /** Layer name as `explain()` shows it, e.g. `file:config/default.yaml`. */
  readonly name: string
  /**
   * Reads the layer (again on every reload). An optional source that is absent returns `{ data: undefined }`.
   * Throws a `ConfigError` whose issues say what and where when it cannot be read.
   */
  load(ctx: SourceContext): Promise<SourceData>
}

/** Where runtime overrides persist. The default writes a JSON file atomically. */
export interface OverridesBackend {
  readonly name: string
  /** Files behind the backend, for watchers. */
  readonly files?: readonly string[]
  /**
   * Reads the persisted overrides; `undefined` when there are none yet. A corrupt store is moved aside and
   * reported through `ctx.report`, then treated as empty: a bad file never stops the service.
   */
  load(ctx: BackendContext): Promise<PersistedOverrides | undefined>
  /**
   * Must be atomic: either the whole document is stored or none of it. Throws on failure; a thrown `ConfigError`
   * keeps its issues (e.g. `STALE_REVISION` from a compare-and-swap), anything else becomes `PERSIST_FAILED`.
   * May return the stored version (e.g. an etcd revision), recorded in history.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a backend with no version to report returns nothing at all
  save(doc: PersistedOverrides): Promise<void | { readonly version?: string }>
  /** Releases connections or handles. */
  close?(): Promise<void>
}

/** What a backend is told when it loads. */
export interface BackendContext {
  readonly environment: string
  /** Report a recovered problem (a corrupt file moved aside) without failing. */
  report(warning: { readonly code: 'CORRUPT_FILE' | 'SOURCE_FAILED'; readonly message: string }): void
  /** Aborted when the store stops waiting for this load (`loadTimeoutMs`); what it returns after that is dropped. */
  readonly signal?: AbortSignal
}

export interface PersistedOverrides {
  readonly overrides: Readonly<Record<string, unknown>>
  /** Deadlines of expiring overrides, by dotted path (`at` an ISO date); absent when none expire. */
  readonly expiries?: Readonly<Record<string, PersistedExpiry>>
  /** Changes on probation, by revision; absent when none is. */
  readonly probation?: Readonly<Record<string, PersistedProbation>>
  readonly revision: number
  readonly updatedAt: string
  readonly environment: string
}

/** One change on probation, as a backend stores it: with the values it changed, so a restart can still revert it. */
export interface PersistedProbation {
  readonly until: string
  readonly source: string
  readonly actor?: string
  readonly changes: readonly { readonly path: string; readonly from?: unknown; readonly to?: unknown }[]
}

/** The deadline of one expiring override, as a backend stores it. */
export interface PersistedExpiry {
  readonly at: string
  readonly revision: number
  readonly actor?: string
}

/** Which layer gave a value, and what it shadows. */
export interface Explanation {
  readonly path: string
  readonly value: unknown
  readonly layer: string
  /** True when a runtime change deleted the key (a tombstone in the overrides); `reset(path)` brings it back. */
  readonly deleted?: true
  /** The override at this path expires: when, and which revision's write set it. */
  readonly expires?: { readonly at: Date; readonly revision: number }
  readonly shadowed: readonly { readonly layer: string; readonly value: unknown }[]
}

// --- history ---

export interface Snapshot {
  readonly id: string
  readonly revision: number
  readonly label?: string
  readonly tags: readonly string[]
  readonly at: Date
}

export interface ExportDocument {
  readonly revision: number
  readonly environment: string
  readonly config: unknown
  readonly exportedAt: string
}

// --- adapters ---

export type AdapterState = 'starting' | 'running' | 'failed' | 'stopped'

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void
  info(msg: string, data?: Record<string, unknown>): void
  warn(msg: string, data?: Record<string, unknown>): void
  error(msg: string, data?: Record<string, unknown>): void
}

/** What an adapter gets: ways to send events into the pipeline, never a way around it. */
export interface AdapterContext<TConfig = unknown> {
  readonly store: ConfigStore<TConfig>
  reload(meta?: ReloadMeta): Promise<UpdateResult>
  update(change: DeepPartial<TConfig>, meta?: UpdateMeta): Promise<UpdateResult>
  /** Aborted when the store closes or the adapter is disposed. */
  readonly signal: AbortSignal
  readonly logger: Logger
  /** Report a state change (`failed` with the error, `running` when recovered). */
  setState(state: AdapterState, error?: unknown): void
}

export interface AdapterHandle {
  dispose(): void | Promise<void>
  /**
   * What every instance on the adapter's shared backend reports (`etcdCluster`, `postgresCluster`): `store.fleet()`
   * asks the first running adapter that offers it.
   */
  fleet?(): Promise<FleetView>
}

/** A trigger from outside (file watch, signal, HTTP, etcd). */
export interface Adapter<TConfig = unknown> {
  readonly name: string
  /**
   * Throwing (or rejecting) fails `createConfigStore` with a `ConfigError`, after the adapters already started are
   * disposed and the store's files released, unless the adapter is `optional`.
   */
  start(ctx: AdapterContext<TConfig>): AdapterHandle | Promise<AdapterHandle>
  /**
   * The store may run without it: a failed start is logged at error level and shown as `failed` in
   * `status().adapters` instead of failing `createConfigStore`, and its failure at any time leaves the admin API's
   * `GET /health` at 200 (a failed adapter that is not optional makes it 503). E.g. `{ ...watchFiles(), optional: true }`.
   * @default false
   */
  readonly optional?: boolean
}

// --- status ---

export interface StoreStatus {
  readonly revision: number
  readonly environment: string
  readonly updatedAt: Date
  readonly pendingRestart: readonly PendingRestart[]
  readonly historySize: number
  readonly snapshots: number
  readonly participants: number
  readonly observers: number
  readonly closed: boolean
  readonly adapters: readonly {
    readonly name: string
    readonly state: AdapterState
    readonly lastError?: string
    /** Present when the adapter is marked `optional`: the store runs without it, and `GET /health` stays 200. */
    readonly optional?: true
  }[]
  readonly sources: readonly { readonly name: string; readonly files: readonly string[] }[]
  /**
   * Persisted overrides this schema does not accept (a key a newer release wrote): not applied, kept where they are
   * persisted, each with the reason it was parked.
   */
  readonly parked: readonly { readonly path: string; readonly message: string }[]
  /** Recent recovered problems (a corrupt file moved aside, an observer that threw, a dropped override). */
  readonly warnings: readonly { readonly code: WarningCode; readonly message: string; readonly at: Date }[]
  /** Runtime overrides with a deadline, soonest first. */
  readonly expiring: readonly PendingExpiry[]
  /** Committed changes on probation, oldest first. */
  readonly probation: readonly PendingProbation[]
}

export interface StoreStats {
  readonly commits: number
  readonly unchanged: number
  readonly rejected: number
  readonly rolledBack: number
  readonly reloads: number
  readonly observerErrors: number
  /** Changes put on probation, confirmed, and reverted (by a failed check or by hand). */
  readonly probation: { readonly started: number; readonly confirmed: number; readonly reverted: number }
  /** Update latency in ms over the last transactions (rolling window). */
  readonly latency: {
    readonly p50: number
    readonly p95: number
    readonly p99: number
    readonly max: number
    readonly count: number
  }
}

// --- fleet ---

/** One instance as it last published itself on a shared backend. */
export interface FleetInstance {
  /** Unique per process: `host:pid:random` unless the cluster was given an `instanceId`. */
  readonly id: string
  readonly host: string
  readonly pid: number
  /** The release the instance runs, as the cluster's `appVersion` option gave it. */
  readonly appVersion?: string
  readonly revision: number
  /** A hash of the live config with secrets redacted: equal on every instance running the same config. */
  readonly configHash: string
  /** The version of the shared overrides (etcd revision, PostgreSQL row version) the instance last read or wrote. */
  readonly sharedVersion?: string
  readonly parked: StoreStatus['parked']
  /** The outcome of its last reload (each change another instance makes arrives as one). */
  readonly lastReload?: {
    readonly status: UpdateResult['status']
    readonly source: string
    readonly revision: number
    readonly at: string
    /** Why it was rejected or rolled back: its issues' messages. */
    readonly reason?: string
  }
  /** The `restart` keys whose new value waits for a process restart. */
  readonly pendingRestart: readonly string[]
  readonly adapters: readonly { readonly name: string; readonly state: AdapterState }[]
  /** When it last published; it drops out of the view `ttlMs` later unless it publishes again. */
  readonly heartbeatAt: string
  readonly ttlMs: number
}

/** Which instances run what, and who took the last shared change. */
export interface FleetView {
  /** The backend and service, e.g. `postgres:hotconf/orders`, `etcd:orders`. */
  readonly backend: string
  readonly at: string
  /** The instances whose heartbeat is younger than their TTL, by id. */
  readonly instances: readonly FleetInstance[]
  /** The newest save of the shared overrides, and which instances took it; absent before the first save. */
  readonly lastChange?: {
    readonly version: string
    /** Read it and run it. */
    readonly applied: readonly string[]
    /** Read it but run without some override (parked), or rejected its last reload: with the reason. */
    readonly refused: readonly { readonly id: string; readonly reason: string }[]
    /** Have not reported it yet. */
    readonly pending: readonly string[]
  }
}

// --- the store ---

/** A live, typed, transactional configuration. See `createConfigStore`. */
export interface ConfigStore<TConfig> extends AsyncDisposable {
  /**
   * Type-level only, never set. TypeScript measures a generic interface's variance once per program, and through the
   * conditional path types it may measure `TConfig` as invariant, which made `ConfigStore<{ a: number }>` not
   * assignable to `ConfigStore<unknown>` in some programs. A mapped type over `TConfig` marks that measure
   * unreliable, so a failed shortcut falls back to comparing the members, which hold. Keep it in the `.d.ts`.
   */
  readonly '~config'?: { readonly [K in keyof TConfig]?: TConfig[K] }
  /** The committed config: typed, frozen at every depth, O(1). */
  readonly current: DeepReadonly<TConfig>
  /** Starts at 1; +1 per commit. */
  readonly revision: number
  readonly environment: string
  /** The schema the store validates against. */
  readonly schema: z.ZodType<TConfig>

  /** The value at a dotted path; the path and the result type are inferred from the schema. */
  get<P extends Path<TConfig>>(path: P): DeepReadonly<PathValue<TConfig, P>>

  /** Validate and commit a change as one transaction. Never throws for bad input. */
  update(change: ConfigChange<TConfig>, meta?: WriteMeta<TConfig>): Promise<UpdateResult>
  /** Set one path. */
  set<P extends Path<TConfig>>(
    path: P,
    value: PathValue<TConfig, P>,
    meta?: WriteMeta<TConfig>,
  ): Promise<UpdateResult>
  /** Dry run: what would change, or why it would be rejected. Nothing changes, nothing is emitted. */
  validate(change: ConfigChange<TConfig>): Promise<ValidationResult>
  /**
   * Re-read every source and commit the difference as one transaction; `meta.contents` hands over files already
   * read, so they are not read again.
   */
  reload(meta?: ReloadMeta): Promise<UpdateResult>
  /** Drop runtime overrides (all, or under a path) as one transaction. */
  reset(path?: Path<TConfig>, meta?: UpdateMeta): Promise<UpdateResult>
  /** Which layer gave the value at a path, and what it shadows. */
  explain(path: Path<TConfig>): Explanation

  /** Return to a retained revision or a snapshot, as a transaction. */
  rollback(target: number | string, meta?: UpdateMeta): Promise<UpdateResult>
  /**
   * End the probation of a committed change by hand, keeping it (a transaction with no changes, `source: 'probation'`
   * unless `meta` says otherwise). `rejected` with `NOT_FOUND` when that revision is not on probation.
   */
  confirm(revision: number, meta?: UpdateMeta): Promise<UpdateResult>
  /**
   * End the probation of a committed change by hand, reverting it: the paths it changed go back to their previous
   * values where they still hold its values, `rollbackOf` naming it in history. `NOT_FOUND` as `confirm`.
   */
  revert(revision: number, meta?: UpdateMeta): Promise<UpdateResult>
  /**
   * Run the probation checks now, as their timer would (after an alert, a deploy step, a health signal), instead of
   * waiting up to `everyMs`: changes whose checks fail are reverted and those whose time is up are confirmed. Settles
   * once those transactions have; a pass already running is awaited rather than doubled.
   */
  checkProbation(): Promise<void>
  /**
   * Pin the current revision beyond the history limit. Not a transaction, so it returns the `Snapshot`, not an
   * `UpdateResult`: once the store is closing or closed it rejects with a `ConfigError` `CLOSED` and pins nothing.
   */
  snapshot(options?: { label?: string; tags?: readonly string[] }): Promise<Snapshot>
  snapshots(filter?: { tag?: string }): readonly Snapshot[]
  /**
   * Unpin a snapshot; resolves `false` when there is none with this id. Rejects with a `ConfigError` `CLOSED` once
   * the store is closing or closed, like `snapshot`.
   */
  deleteSnapshot(id: string): Promise<boolean>
  /** The changes between two retained revisions (secrets redacted). */
  diff(fromRevision: number, toRevision?: number): readonly Change[]
  export(options?: { includeSecrets?: boolean }): ExportDocument
  import(doc: ExportDocument | { config: unknown }, meta?: UpdateMeta): Promise<UpdateResult>

  /** Committed transactions, newest first. */
  history(options?: { limit?: number }): readonly HistoryEntry[]
  /** Every transaction outcome (committed, unchanged, rejected, rolled back), newest first. */
  events(options?: { limit?: number }): readonly TransactionRecord[]
  status(): StoreStatus
  stats(): StoreStats
  /**
   * Every live instance of the service on the store's shared backend and who took the last change, from the first
   * adapter that offers a fleet view (`etcdCluster`, `postgresCluster`). Rejects with a `ConfigError` `NOT_FOUND`
   * when none does, and with the backend's error when it cannot be read.
   */
  fleet(): Promise<FleetView>

  /** Take part in applying: may veto (throw) within its timeout. Returns an unsubscribe function. */
  participate(handler: Participant<TConfig>, options?: ParticipantOptions<TConfig>): () => void

  /** Replays the current config, then one value per commit. */
  readonly config$: Observable<DeepReadonly<TConfig>>
  /** Replays the current slice, then emits only when its identity changes. */
  select<R>(selector: (config: DeepReadonly<TConfig>) => R): Observable<R>
  select<P extends Path<TConfig>>(path: P): Observable<DeepReadonly<PathValue<TConfig, P>>>
  /** One `ChangeSet` per commit. */
  readonly changes$: Observable<ChangeSet>
  /** Every lifecycle step of every transaction, warnings and adapter states. */
  readonly events$: Observable<StoreEvent>

  /** xstate-style read API: the committed config. */
  getSnapshot(): DeepReadonly<TConfig>
  /** Called with each committed config (not replayed); an observer also hears `complete` when the store closes. */
  subscribe(
    listener:
      | ((config: DeepReadonly<TConfig>) => void)
      | Partial<{
          next(config: DeepReadonly<TConfig>): void
          error(error: unknown): void
          complete(): void
        }>,
  ): { unsubscribe(): void }
  /** Interop: `from(store)` (rxjs) is an observable of committed configs, as `subscribe` delivers them. */
  [Symbol.observable](): Subscribable<DeepReadonly<TConfig>>

  /** Replace secret values below `path` with `'[redacted]'` (for anything shown to people). */
  redact(value: unknown, path?: string): unknown
  /** The sources in layer order, with their files (for watchers). */
  sources(): readonly { readonly name: string; readonly files: readonly string[] }[]

  /**
   * Stop adapters, settle pending transactions, complete streams. Later writes are `rejected` with `CLOSED`. Always
   * resolves, within a bound: the adapters' `dispose`, then the transactions already queued (each bounded by its
   * participants' timeouts and `persistTimeoutMs`, a reload's reads by `loadTimeoutMs`), then at most
   * `persistTimeoutMs` for saves still under way, then the close of the audit log and the backend. Called from
   * inside a participant it resolves at once: the store takes no new writes from then on, and finishes closing after
   * that participant's transaction settles.
   */
  close(): Promise<void>
}

// --- options ---

/** Options of `createConfigStore`. */
export interface ConfigStoreOptions<TSchema extends z.ZodObject> {
  /** One zod 4 object schema: validation, defaults, types. */
  readonly schema: TSchema
  /** Merged over the schema defaults, below every source. */
  readonly initial?: DeepPartial<z.output<TSchema>>
  /** Chooses profile files (`{environment}` in file paths) and policies. @default process.env.NODE_ENV ?? 'development' */
  readonly environment?: string
  /** Layers in order, low to high, between `initial` and the runtime overrides. @default [] */
  readonly sources?: readonly ConfigSource[]
  /** Where runtime changes persist: a JSON file written atomically, or a backend (e.g. etcd). @default in memory only */
  readonly overrides?: { readonly file: string } | { readonly backend: OverridesBackend }
  /** Append one JSON line per transaction outcome. @default off */
  readonly audit?: { readonly file: string }
  /** Keep the last committed config on disk (beside the overrides file) and start on it when the sources are broken. @default false */
  readonly lastKnownGood?: boolean
  /** Started after the store is ready, disposed on close. Adapters are generic over the config. @default [] */
  readonly adapters?: readonly Adapter<any>[]
  /** Committed revisions kept reachable. @default 100 */
  readonly historyLimit?: number
  /** Transaction outcomes kept by `events()`. @default 100 */
  readonly eventsLimit?: number
  /** Time a participant has to accept a change. @default 5000 */
  readonly participantTimeoutMs?: number
  /**
   * Time each source's read and the overrides backend's load have, at start and on every reload. One that has not
   * settled by then fails with `SOURCE_TIMEOUT`: `createConfigStore` rejects, a reload is `rejected` and the next
   * reload reads again; a result that arrives later is dropped. @default 10000
   */
  readonly loadTimeoutMs?: number
  /**
   * Time a save of the overrides has (a stalled fsync, an unreachable etcd) before its transaction is rolled back
   * with `PERSIST_FAILED`. A save that lands after that is followed by a save of the live overrides, so the disk
   * ends where memory is. `close()` waits for pending saves at most this long. @default 5000
   */
  readonly persistTimeoutMs?: number
  /**
   * Probation (see `WriteMeta.probation`): the checks every change on probation must pass, how often they run, and
   * the sources whose changes go on probation for `forMs` without asking (e.g. `['http', 'file']`; the `source` of
   * a write's meta, `'api'` by default, or the adapter's). Checks also run once at start for the changes still on
   * probation, before `createConfigStore` resolves: a change that crashed the process is reverted when they fail.
   * @default no checks, nothing on probation unless a write asks
   */
  readonly probation?: ProbationOptions<z.output<TSchema>>
  /** Passed to xstate's `createActor` (e.g. the Stately inspector). */
  readonly inspect?: (event: unknown) => void
  /** @default a logger that writes warnings and errors to the console */
  readonly logger?: Logger
  /** Injected clock for tests. @default () => new Date() */
  readonly clock?: () => Date
  /**
   * The monotonic clock and timer the store waits on for expiring overrides, injectable for tests. `now` must not
   * jump with the wall clock. @default a monotonic clock (`process.hrtime`), setTimeout and clearTimeout
   */
  readonly timers?: StoreTimers
}

/** See `ConfigStoreOptions.probation`. */
export interface ProbationOptions<TConfig> {
  /**
   * Checks by name (the name leads the reason of a revert), or a list (named by each function's name, else its
   * place: `check 1`). @default {}
   */
  readonly checks?: Readonly<Record<string, ProbationCheck<TConfig>>> | readonly ProbationCheck<TConfig>[]
  /** How often the checks run while anything is on probation. @default 1000 */
  readonly everyMs?: number
  /** The probation of a change from one of `sources`. Required with `sources`. */
  readonly forMs?: number
  /** Changes from these sources go on probation for `forMs`. @default [] */
  readonly sources?: readonly string[]
}

/** A monotonic clock and a one-shot timer (see `ConfigStoreOptions.timers`). */
export interface StoreTimers {
  /** Milliseconds on a clock that only moves forward, e.g. `performance.now()`. */
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}
