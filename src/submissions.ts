import { performance } from 'node:perf_hooks'
import { messageOf } from './error-message.ts'
import { ConfigError, issue } from './errors.ts'
import { type PrepareEnv, readOverrides, readSources } from './machines/prepare.ts'
import type { Intent, Txn } from './machines/transaction.ts'
import type { TransactionEvent } from './machines/transaction-machine.ts'
import type { UpdateMeta, UpdateResult } from './types.ts'

/** What the submissions need from their store. */
export interface SubmissionsHost<TConfig> {
  readonly env: PrepareEnv<TConfig>
  /** Hands a batch of transactions to the machine. */
  send(event: TransactionEvent): void
  /** Reports the `started` step of a transaction. */
  started(txn: Txn): void
  /** The live revision, for results of a closed store. */
  revision(): number
  /** True when called from inside one of the store's participants (see `ParticipantSet.calling`). */
  reentrant(): boolean
}

/**
 * The way into the transaction machine: numbers each transaction, sends everything submitted in one tick as one
 * event (so concurrent callers can share a pass), runs a reload's reads outside the machine (coalescing the reloads
 * asked for meanwhile into one more), and counts what is pending so `close()` can wait for it.
 */
export class Submissions<TConfig = unknown> {
  readonly #host: SubmissionsHost<TConfig>
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

  constructor(host: SubmissionsHost<TConfig>) {
    this.#host = host
  }

  get closed(): boolean {
    return this.#closed
  }

  /**
   * Reads every layer, then queues one transaction. Reads happen outside the machine; while one is under way,
   * further requests share one more read (a reload is idempotent), so a burst costs at most two.
   */
  reload(meta?: UpdateMeta): Promise<UpdateResult> {
    if (this.#closed || this.#host.reentrant())
      return this.submit({ kind: 'reload', failed: [] }, meta, 'reload')
    return new Promise<UpdateResult>((resolve) => {
      if (this.#loading) {
        this.#again ??= { meta, waiters: [] }
        this.#again.waiters.push(resolve)
      } else {
        this.#load(meta, [resolve])
      }
    })
  }

  /** From now on every submission resolves `rejected` with `CLOSED`. */
  close(): void {
    this.#closed = true
  }

  /** Settles when every transaction submitted so far has settled. */
  drained(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve()
    return new Promise<void>((resolve) => (this.#drained = resolve))
  }

  /**
   * Queues one transaction; resolves with its result: `rejected` with `CLOSED` once the store is closed, and at once
   * with `REENTRANT` when called from inside a participant (it would queue behind the transaction waiting for it).
   */
  submit(intent: Intent, meta: UpdateMeta | undefined, source: string): Promise<UpdateResult> {
    if (this.#host.reentrant()) {
      return Promise.resolve(
        this.#refused(
          'REENTRANT',
          `${intent.kind}() was called from inside a participant of this store, whose transaction waits for it: write after the participant returned, or throw to veto`,
        ),
      )
    }
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
      const result = this.#refused('CLOSED', 'the store is closed')
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
    this.#host.started(txn)
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
    this.#host.send({ type, txns })
  }

  #load(meta: UpdateMeta | undefined, waiters: ((result: UpdateResult) => void)[]): void {
    this.#loading = true
    this.#pending++
    const startedAt = performance.now()
    const env = this.#host.env
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

  #refused(code: 'CLOSED' | 'REENTRANT', message: string): UpdateResult {
    return { status: 'rejected', errors: [issue(code, '', message)], revision: this.#host.revision() }
  }

  #machineIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  /** A transaction has settled (the machine's `settle` effect). */
  settled(): void {
    if (--this.#inFlight === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve()
    this.#done()
  }

  #done(): void {
    this.#pending--
    if (this.#pending === 0) this.#drained?.()
  }
}
