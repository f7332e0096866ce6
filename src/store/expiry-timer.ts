import { performance } from 'node:perf_hooks'
import { formatIssues } from '../errors.ts'
import type { Expiries, ExpiryRef } from '../expiries.ts'
import type { StoreTimers, UpdateMeta, UpdateResult, WarningCode } from '../types.ts'

/** What the expiry timer reads and where it sends the resets. */
export interface ExpiryTimerContext {
  readonly timers: StoreTimers
  /** The wall clock: persisted deadlines are wall-clock times. */
  readonly clock: () => Date
  /** The live deadlines. */
  readonly deadlines: () => Expiries
  /** Queues one expiry transaction (a reset of `refs`, `source: 'expiry'`). */
  readonly expire: (refs: readonly ExpiryRef[], meta: UpdateMeta) => Promise<UpdateResult>
  readonly warn: (code: WarningCode, message: string) => void
}

/** The default timers: a monotonic clock, and Node's timer. */
export const nodeTimers: StoreTimers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/**
 * Acts on the deadlines of expiring overrides: one timer, for the earliest, re-armed after every commit (`sync`).
 * Each deadline is turned into a monotonic time once, when first seen (`at` minus the wall clock then), so a wall
 * clock that jumps later neither fires it early nor holds it back. Deadlines that pass together are reset by one
 * transaction (split per revision that set them when it is rejected). A reset the pipeline rejects (the config without the override is invalid)
 * is reported as `EXPIRY_FAILED` and tried again after the next commit, not in a loop.
 */
export class ExpiryTimer {
  readonly #ctx: ExpiryTimerContext
  /** Monotonic due time by `path@revision`, fixed when first seen. */
  readonly #due = new Map<string, number>()
  /** Deadlines that passed while the store was stopped: their history says so. */
  readonly #overdueAtStart = new Set<string>()
  /** Queued and not yet settled, or refused until the next commit. */
  readonly #busy = new Set<string>()
  readonly #waiting = new Set<string>()
  /** The deadlines `#track` saw last: a commit that left them alone (the same object) costs nothing more. */
  #tracked: Expiries | undefined
  #handle: unknown
  #armedFor = Number.POSITIVE_INFINITY
  #closed = false

  constructor(ctx: ExpiryTimerContext) {
    this.#ctx = ctx
  }

  /** Resets what expired while the store was stopped, then waits for the next deadline. */
  async start(): Promise<void> {
    const wall = this.#ctx.clock().getTime()
    for (const [path, e] of Object.entries(this.#ctx.deadlines()))
      if (e.at <= wall) this.#overdueAtStart.add(keyOf(path, e.revision))
    this.#track()
    await this.#fire()
    this.#arm()
  }

  /** After a commit: the deadlines may have changed, and refused resets get another try. */
  sync(): void {
    if (this.#closed) return
    this.#waiting.clear()
    this.#track()
    this.#arm()
  }

  close(): void {
    this.#closed = true
    this.#disarm()
  }

  // --- internal ---

  /** Fixes the due time of new deadlines; forgets those that are gone. */
  #track(): void {
    const { timers, clock, deadlines } = this.#ctx
    const current = deadlines()
    if (current === this.#tracked) return
    this.#tracked = current
    const live = new Set<string>()
    let now: number | undefined
    let wall = 0
    for (const [path, e] of Object.entries(current)) {
      const key = keyOf(path, e.revision)
      live.add(key)
      if (this.#due.has(key)) continue
      if (now === undefined) {
        now = timers.now()
        wall = clock().getTime()
      }
      this.#due.set(key, now + (e.at - wall))
    }
    for (const key of this.#due.keys()) if (!live.has(key)) this.#due.delete(key)
  }

  #arm(): void {
    let next = Number.POSITIVE_INFINITY
    for (const [key, due] of this.#due) if (this.#idle(key) && due < next) next = due
    if (next === this.#armedFor) return
    this.#disarm()
    if (next === Number.POSITIVE_INFINITY) return
    const { timers } = this.#ctx
    // Node's timers hold at most 2^31-1 ms: a farther deadline re-arms on the way.
    const delay = Math.min(Math.max(0, next - timers.now()), MAX_DELAY)
    this.#armedFor = next
    this.#handle = timers.setTimeout(() => {
      this.#handle = undefined
      this.#armedFor = Number.POSITIVE_INFINITY
      void this.#fire()
      this.#arm()
    }, delay)
    // A pending deadline must not keep the host process alive.
    ;(this.#handle as { unref?: () => void } | undefined)?.unref?.()
  }

  #disarm(): void {
    if (this.#handle !== undefined) this.#ctx.timers.clearTimeout(this.#handle)
    this.#handle = undefined
    this.#armedFor = Number.POSITIVE_INFINITY
  }

  /**
   * Queues one reset of every deadline due now (one pass however many: a store that fell behind catches up in one
   * transaction, not one per deadline); settles when it has.
   */
  async #fire(): Promise<void> {
    if (this.#closed) return
    const now = this.#ctx.timers.now()
    const groups = new Map<number, ExpiryRef[]>()
    for (const [path, e] of Object.entries(this.#ctx.deadlines())) {
      const key = keyOf(path, e.revision)
      const due = this.#due.get(key)
      if (due === undefined || due > now || !this.#idle(key)) continue
      const group = groups.get(e.revision) ?? []
      group.push({ path, revision: e.revision })
      groups.set(e.revision, group)
    }
    if (groups.size > 0) await this.#expire([...groups.values()])
  }

  /** Resets `groups` (the deadlines set by one revision each) in one transaction. */
  async #expire(groups: readonly (readonly ExpiryRef[])[]): Promise<void> {
    const refs = groups.flat()
    const keys = refs.map((r) => keyOf(r.path, r.revision))
    for (const key of keys) this.#busy.add(key)
    const reason = `expiry of ${groups.map((g) => this.#described(g)).join('; ')}`
    const result = await this.#ctx.expire(refs, { source: 'expiry', reason })
    for (const key of keys) this.#busy.delete(key)
    // Committed: the deadlines are gone (the commit re-armed). Otherwise wait for the next commit.
    if (result.status === 'committed' || this.#closed) return
    // One refused override must not hold back the others: each revision's then gets its own transaction.
    if (result.status === 'rejected' && groups.length > 1) {
      await Promise.all(groups.map((g) => this.#expire([g])))
      return
    }
    for (const key of keys) this.#waiting.add(key)
    if ('errors' in result) {
      const outcome = result.status === 'rejected' ? 'rejected' : 'rolled back'
      this.#ctx.warn(
        'EXPIRY_FAILED',
        `${reason} was ${outcome}; it is tried again after the next change:\n${formatIssues(result.errors)}`,
      )
    }
  }

  /** `a, b set at revision 7 by ops`, and why it is late when it passed while the store was stopped. */
  #described(group: readonly ExpiryRef[]): string {
    const { revision } = group[0]!
    const actor = this.#ctx.deadlines()[group[0]!.path]?.actor
    const late = group.some((r) => this.#overdueAtStart.has(keyOf(r.path, r.revision)))
    return `${group.map((r) => r.path).join(', ')} set at revision ${revision}${actor === undefined ? '' : ` by ${actor}`}${
      late ? ' (the deadline passed while the store was stopped)' : ''
    }`
  }

  #idle(key: string): boolean {
    return !this.#busy.has(key) && !this.#waiting.has(key)
  }
}

// --- internal ---

const MAX_DELAY = 2 ** 31 - 1

function keyOf(path: string, revision: number): string {
  return `${revision}@${path}`
}
