import { messageOf } from '../error-message.ts'
import { formatIssues } from '../errors.ts'
import type { Probations } from '../probation.ts'
import { overlaps } from '../tree/paths.ts'
import type {
  ProbationCheck,
  StoreEvent,
  StoreTimers,
  UpdateMeta,
  UpdateResult,
  WarningCode,
} from '../types.ts'
import { withTimeout } from '../with-timeout.ts'
import { Alarm } from './alarm.ts'

/** A participant's check, over the changes that touch `paths` (all without). */
interface ScopedCheck<TConfig> {
  readonly name: string
  readonly check: ProbationCheck<TConfig>
  readonly paths?: readonly string[]
}

/** What the probation timer reads, runs, and where it sends the ends of probations. */
export interface ProbationTimerContext<TConfig> {
  readonly timers: StoreTimers
  /** The wall clock: `until` is a wall-clock time. */
  readonly clock: () => Date
  /** The live records. */
  readonly probations: () => Probations
  readonly config: () => TConfig
  /** The store's checks, by name. */
  readonly checks: Readonly<Record<string, ProbationCheck<TConfig>>>
  readonly everyMs: number
  /** Time one check has before it counts as failed. */
  readonly timeoutMs: number
  /** Queues the transaction that ends `revision`'s probation. */
  readonly end: (revision: number, end: 'confirm' | 'revert', meta: UpdateMeta) => Promise<UpdateResult>
  readonly warn: (code: WarningCode, message: string) => void
  readonly event: (event: Extract<StoreEvent, { type: 'probation' }>) => void
}

/**
 * Runs the checks of the changes on probation every `everyMs` (and at start, before the store is handed out), and
 * ends each probation: a failed check reverts (the store's checks cannot tell which change hurt, so every change on
 * probation is reverted, newest first; a participant's check reverts those that touch its paths, a write's own check
 * its change only), a probation whose time passed cleanly is confirmed. Like the expiry timer, `until` becomes a monotonic due time once, when first seen, and an
 * end the pipeline refuses is reported (`PROBATION_FAILED`) and tried again after the next commit.
 */
export class ProbationTimer<TConfig> {
  readonly #ctx: ProbationTimerContext<TConfig>
  /** Monotonic due time by revision, fixed when first seen. */
  readonly #due = new Map<number, number>()
  /** Checks of one write, in this process only. */
  readonly #own = new Map<number, ProbationCheck<TConfig>>()
  /** Checks of participants that opted in, each over the changes that touch its paths (all without). */
  readonly #scoped = new Set<ScopedCheck<TConfig>>()
  /** Being ended, or refused until the next commit. */
  readonly #busy = new Set<number>()
  readonly #waiting = new Set<number>()
  #tracked: Probations | undefined
  #pass: Promise<void> | undefined
  #closed = false
  readonly #alarm: Alarm

  constructor(ctx: ProbationTimerContext<TConfig>) {
    this.#ctx = ctx
    this.#alarm = new Alarm(ctx.timers)
  }

  /** Checks what was on probation when the store stopped, then keeps checking. */
  async start(): Promise<void> {
    this.#track(false)
    await this.check()
  }

  /** After a commit: new records start their probation; refused ends get another try. */
  sync(): void {
    if (this.#closed) return
    this.#waiting.clear()
    this.#track(true)
    this.#arm()
  }

  /** Adds a write's own check to its revision's probation. */
  watch(revision: number, check: ProbationCheck<TConfig>): void {
    if (this.#due.has(revision)) this.#own.set(revision, check)
  }

  /** Adds a participant's check; returns its removal. */
  addCheck(name: string, check: ProbationCheck<TConfig>, paths?: readonly string[]): () => void {
    const entry: ScopedCheck<TConfig> = { name, check, ...(paths ? { paths } : {}) }
    this.#scoped.add(entry)
    return () => {
      this.#scoped.delete(entry)
    }
  }

  /** Runs the checks now (one pass at a time: a call during a pass waits for it). */
  check(): Promise<void> {
    this.#pass ??= this.#run().finally(() => {
      this.#pass = undefined
      this.#arm()
    })
    return this.#pass
  }

  /** Ends a probation by hand, or as the checks decided; reports the end once it committed. */
  async end(revision: number, end: 'confirm' | 'revert', meta: UpdateMeta): Promise<UpdateResult> {
    const until = this.#ctx.probations()[String(revision)]?.until
    this.#busy.add(revision)
    const result = await this.#ctx.end(revision, end, { source: 'probation', ...meta })
    this.#busy.delete(revision)
    if (result.status === 'committed' && until !== undefined) {
      this.#own.delete(revision)
      this.#ctx.event({
        type: 'probation',
        phase: end === 'confirm' ? 'confirmed' : 'reverted',
        revision,
        until: new Date(until),
        ...(meta.reason === undefined ? {} : { message: meta.reason }),
        at: this.#ctx.clock(),
      })
    }
    return result
  }

  close(): void {
    this.#closed = true
    this.#alarm.clear()
  }

  // --- internal ---

  /** Fixes the due time of new records (reporting their start after a commit); forgets those that ended. */
  #track(report: boolean): void {
    const current = this.#ctx.probations()
    if (current === this.#tracked) return
    this.#tracked = current
    const now = this.#ctx.timers.now()
    const wall = this.#ctx.clock().getTime()
    for (const p of Object.values(current)) {
      if (this.#due.has(p.revision)) continue
      this.#due.set(p.revision, now + (p.until - wall))
      if (report)
        this.#ctx.event({
          type: 'probation',
          phase: 'started',
          revision: p.revision,
          until: new Date(p.until),
          at: this.#ctx.clock(),
        })
    }
    for (const revision of this.#due.keys()) {
      if (String(revision) in current) continue
      this.#due.delete(revision)
      this.#own.delete(revision)
    }
  }

  async #run(): Promise<void> {
    const pending = [...this.#due.keys()].filter((r) => this.#idle(r)).sort((a, b) => b - a)
    if (this.#closed || pending.length === 0) return
    const config = this.#ctx.config()
    const reverted = new Set<number>()
    const revert = async (revisions: readonly number[], why: string) => {
      for (const revision of revisions) {
        reverted.add(revision)
        await this.#finish(revision, 'revert', why)
      }
    }
    const scoped = [...this.#scoped]
    // Checks that cannot tell which change hurt revert every change on probation.
    const general: [string, ProbationCheck<TConfig>][] = [
      ...Object.entries(this.#ctx.checks),
      ...scoped.filter((s) => !s.paths).map((s): [string, ProbationCheck<TConfig>] => [s.name, s.check]),
    ]
    const failed = await this.#failure(general, pending[0]!, config)
    if (failed !== undefined) return revert(pending, failed)
    for (const { name, check, paths } of scoped) {
      if (!paths) continue
      const touched = pending.filter((r) => !reverted.has(r) && this.#touches(r, paths))
      if (touched.length === 0) continue
      const why = await this.#failure([[name, check]], touched[0]!, config)
      if (why !== undefined) await revert(touched, why)
    }
    const now = this.#ctx.timers.now()
    for (const revision of pending) {
      if (reverted.has(revision)) continue
      const own = this.#own.get(revision)
      const mine = own ? await this.#failure([['check', own]], revision, config) : undefined
      if (mine !== undefined) await this.#finish(revision, 'revert', mine)
      else if ((this.#due.get(revision) ?? 0) <= now) await this.#finish(revision, 'confirm', undefined)
    }
  }

  #touches(revision: number, paths: readonly string[]): boolean {
    const record = this.#ctx.probations()[String(revision)]
    return record?.changes.some((c) => paths.some((p) => overlaps(c.path, p))) ?? false
  }

  /** The first failing check's reason: `check "name" failed: ...`, or `undefined` when all pass. */
  async #failure(
    checks: readonly (readonly [string, ProbationCheck<TConfig>])[],
    revision: number,
    config: TConfig,
  ): Promise<string | undefined> {
    const { timeoutMs } = this.#ctx
    for (const [name, check] of checks) {
      try {
        const ok = await withTimeout(
          timeoutMs,
          () => check({ revision, config: config as never }),
          () => new Error(`did not settle within ${timeoutMs} ms`),
        )
        if (ok !== true) return `check "${name}" failed: it returned ${String(ok)}`
      } catch (error) {
        return `check "${name}" failed: ${messageOf(error)}`
      }
    }
    return undefined
  }

  async #finish(revision: number, end: 'confirm' | 'revert', why: string | undefined): Promise<void> {
    if (this.#closed || !this.#idle(revision)) return
    const reason =
      end === 'revert'
        ? `revert of revision ${revision} on probation: ${why}`
        : `revision ${revision} passed its probation`
    const result = await this.end(revision, end, { reason })
    if (result.status === 'committed' || result.status === 'unchanged' || this.#closed) return
    // Ended by hand meanwhile (confirm or revert queued first): nothing is left to do, nothing to report.
    if (result.status === 'rejected' && result.errors.every((e) => e.code === 'NOT_FOUND')) return
    this.#waiting.add(revision)
    if ('errors' in result)
      this.#ctx.warn(
        'PROBATION_FAILED',
        `${reason} was ${result.status === 'rejected' ? 'rejected' : 'rolled back'}; it is tried again after the next change:\n${formatIssues(result.errors)}`,
      )
  }

  /** Wakes for the next pass: after `everyMs`, or sooner when a probation's time is up before. */
  #arm(): void {
    let next = Number.POSITIVE_INFINITY
    if (!this.#closed && !this.#pass)
      for (const [revision, due] of this.#due) if (this.#idle(revision) && due < next) next = due
    const now = this.#ctx.timers.now()
    // Nothing to wait for: `set` with no time clears the alarm.
    const at =
      next === Number.POSITIVE_INFINITY ? next : Math.min(Math.max(now, next), now + this.#ctx.everyMs)
    this.#alarm.set(at, () => void this.check())
  }

  #idle(revision: number): boolean {
    return !this.#busy.has(revision) && !this.#waiting.has(revision)
  }
}
