import { messageOf } from '../error-message.ts'
import { ConfigError, issue } from '../errors.ts'
import type { Intent } from '../machines/transaction.ts'
import { getAt, splitPath } from '../tree/paths.ts'
import type {
  ConfigChange,
  ConfigStore,
  ExportDocument,
  FleetView,
  Logger,
  Participant,
  ParticipantOptions,
  ReloadMeta,
  Snapshot,
  UpdateMeta,
  UpdateResult,
  ValidationResult,
  WarningCode,
  WriteMeta,
} from '../types.ts'
import { AdapterHost } from './adapter-host.ts'
import { type StoreCore, StoreReads } from './store-reads.ts'

/**
 * The store behind `createConfigStore`: the read API (`StoreReads`), the doors every write takes into its
 * transaction pipeline (`core.transactor`), its adapters and its shutdown.
 */
export class LiveStore<TConfig> extends StoreReads<TConfig> implements ConfigStore<TConfig> {
  readonly #adapters: AdapterHost<TConfig>
  #closing: Promise<void> | undefined

  constructor(core: StoreCore<TConfig>) {
    super(core)
    const { notices } = core
    // Adapters log what they read (a file, an etcd value, a request): scrubbed like every message that leaves.
    this.#adapters = new AdapterHost<TConfig>(
      {
        api: this,
        slot: (name, optional) => notices.adapterSlot(name, optional),
        scrub: (text) => notices.scrub(text),
      },
      scrubbedLogger(core.logger, (text) => notices.scrub(text)),
    )
  }

  /** Starts the adapters; one that fails (and is not optional) closes the store and rejects. */
  async start(): Promise<void> {
    try {
      await this.core.expiry.start()
      await this.core.probation.start()
      await this.#adapters.start(this.core.adapters)
    } catch (error) {
      await this.close()
      throw error
    }
  }

  // --- writes ---

  update(change: ConfigChange<TConfig>, meta?: WriteMeta<TConfig>): Promise<UpdateResult> {
    return this.#write({ kind: 'update', change }, meta)
  }

  set(path: string, value: unknown, meta?: WriteMeta<TConfig>): Promise<UpdateResult> {
    if (path === '') return this.update(value as ConfigChange<TConfig>, meta)
    return this.#write({ kind: 'set', path, value }, meta)
  }

  async validate(change: ConfigChange<TConfig>): Promise<ValidationResult> {
    const outcome = this.core.transactor.dryRun({ kind: 'update', change })
    if (outcome.kind === 'rejected') return { ok: false, errors: outcome.errors }
    return {
      ok: true,
      changes: outcome.kind === 'ready' ? this.core.redactor.changes(outcome.prepared.changes) : [],
    }
  }

  reload(meta?: ReloadMeta): Promise<UpdateResult> {
    return this.core.transactor.reload(meta)
  }

  reset(path?: string, meta?: UpdateMeta): Promise<UpdateResult> {
    try {
      // A parked override (a key a newer schema wrote) is no path of this schema, yet reset must reach it.
      if (path !== undefined && getAt(this.state.live.layers.parked, splitPath(path)) === undefined)
        this.readerOf(path)
    } catch (error) {
      return Promise.reject(error)
    }
    const intent = path === undefined ? { kind: 'reset' as const } : { kind: 'reset' as const, path }
    return this.core.transactor.submit(intent, meta, 'reset')
  }

  rollback(target: number | string, meta?: UpdateMeta): Promise<UpdateResult> {
    return this.core.transactor.submit({ kind: 'rollback', target }, meta, 'rollback')
  }

  confirm(revision: number, meta: UpdateMeta = {}): Promise<UpdateResult> {
    return this.core.probation.end(revision, 'confirm', meta)
  }

  revert(revision: number, meta: UpdateMeta = {}): Promise<UpdateResult> {
    return this.core.probation.end(revision, 'revert', meta)
  }

  checkProbation(): Promise<void> {
    return this.core.probation.check()
  }

  import(doc: ExportDocument | { config: unknown }, meta?: UpdateMeta): Promise<UpdateResult> {
    return this.core.transactor.submit({ kind: 'import', config: doc?.config }, meta, 'import')
  }

  async snapshot(options: { label?: string; tags?: readonly string[] } = {}): Promise<Snapshot> {
    this.#refuseClosed('snapshot')
    const { revision, config } = this.state.live
    const snap = this.core.history.pin(revision, config, options, this.core.clock())
    await this.#saveSnapshots()
    return snap
  }

  async deleteSnapshot(id: string): Promise<boolean> {
    this.#refuseClosed('deleteSnapshot')
    const deleted = this.core.history.unpin(id)
    if (deleted) await this.#saveSnapshots()
    return deleted
  }

  participate(handler: Participant<TConfig>, options: ParticipantOptions<TConfig> = {}): () => void {
    // A typo in `paths` would make a participant that is never called.
    for (const path of options.paths ?? []) this.readerOf(path)
    const { check, ...rest } = options
    const leave = this.core.participants.add(handler as Participant<unknown>, rest)
    if (!check) return leave
    const name = `participant ${rest.name ?? (handler.name || 'without a name')}`
    const unwatch = this.core.probation.addCheck(name, check, rest.paths)
    return () => {
      leave()
      unwatch()
    }
  }

  fleet(): Promise<FleetView> {
    return this.#adapters.fleet()
  }

  // --- lifecycle ---

  /** A warning for logs, `events$` and `status().warnings`. */
  warn(code: WarningCode, text: string): void {
    this.core.notices.warn(code, text)
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown()
    if (!this.core.participants.calling) return this.#closing
    // Waiting would mean waiting for its own transaction: a participant gets a store closed to writes, now.
    this.#closing.catch((error: unknown) => this.core.logger.error(`close failed: ${messageOf(error)}`))
    return Promise.resolve()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  get closed(): boolean {
    return this.core.transactor.closed
  }

  // --- internal ---

  /**
   * An update or set; with `ttlMs`, its deadline is taken now, when it was asked for; with `probation`, the change
   * it commits goes on probation (its own check joining the store's).
   */
  #write(
    intent: Extract<Intent, { kind: 'update' | 'set' }>,
    meta: WriteMeta<TConfig> | undefined,
  ): Promise<UpdateResult> {
    const { ttlMs, probation, ...rest } = meta ?? {}
    const refused = (message: string): Promise<UpdateResult> =>
      Promise.resolve({
        status: 'rejected',
        errors: [issue('INVALID', '', message)],
        revision: this.revision,
      })
    if (ttlMs !== undefined && (!Number.isSafeInteger(ttlMs) || ttlMs < 1))
      return refused(`ttlMs must be a positive integer of milliseconds, got ${String(ttlMs)}`)
    const forMs = probation?.forMs
    if (probation !== undefined && (!Number.isSafeInteger(forMs) || (forMs as number) < 1))
      return refused(`probation.forMs must be a positive integer of milliseconds, got ${String(forMs)}`)
    const at = ttlMs === undefined ? undefined : this.core.clock().getTime() + ttlMs
    const extras = {
      ...(at === undefined ? {} : { expires: rest.actor === undefined ? { at } : { at, actor: rest.actor } }),
      ...(forMs === undefined ? {} : { probation: forMs }),
    }
    const submitted = this.core.transactor.submit({ ...intent, ...extras }, rest, 'api')
    const check = probation?.check
    // Only a write with a check of its own waits here: any other settles in the order it was submitted.
    if (!check) return submitted
    return submitted.then((result) => {
      if (result.status === 'committed') this.core.probation.watch(result.revision, check)
      return result
    })
  }

  /** Snapshots are not transactions (they return a `Snapshot`, not an `UpdateResult`), so a closed store throws. */
  #refuseClosed(method: string): void {
    if (this.closed) throw new ConfigError(issue('CLOSED', '', `${method}(): the store is closed`))
  }

  async #saveSnapshots(): Promise<void> {
    await this.core.files.snapshots?.write({ snapshots: this.core.history.pinnedEntries() })
  }

  async #shutdown(): Promise<void> {
    this.core.expiry.close()
    this.core.probation.close()
    this.core.transactor.close()
    // Stop the adapters first, so nothing new arrives while the pipeline drains.
    await this.#adapters.dispose()
    await this.core.transactor.stopped()
    await this.core.release()
    this.core.streams.complete()
  }
}

function scrubbedLogger(logger: Logger, scrub: (text: string) => string): Logger {
  return {
    debug: (msg, data) => logger.debug(scrub(msg), data),
    info: (msg, data) => logger.info(scrub(msg), data),
    warn: (msg, data) => logger.warn(scrub(msg), data),
    error: (msg, data) => logger.error(scrub(msg), data),
  }
}
