import { formatIssues } from '../errors.ts'
import type { Expiries, ExpiryRef } from '../expiries.ts'
import type { StoreTimers, UpdateMeta, UpdateResult, WarningCode } from '../types.ts'
import { Alarm } from './alarm.ts'

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

/**
 * The default timers: a monotonic clock, and Node's timer. The clock is `process.hrtime`, not the global
 * `performance`, whose first read loads node:perf_hooks on Node 20 (≈ 2 ms of a store's start, where the timers read
 * it).
 */
export const nodeTimers: StoreTimers = {
  now: () => Number(process.hrtime.bigint()) / 1e6,
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/**
 * Acts on the deadlines of expiring overrides: one timer, for the earliest, re-armed after every commit (`sync`).
 * Each deadline is turned into a monotonic time once, when first seen (`at` minus the wall clock then), so a wall
 * clock that jumps later neither fires it early nor holds it back. Deadlines that pass together are reset by one
 * transaction (split per revision that set them when it is rejected). A reset the pipeline rejects (the config
 * without the override is invalid) is reported as `EXPIRY_FAILED` and tried again after the next commit, not in a
 * loop.
 */
export class ExpiryTimer {
  readonly #ctx: ExpiryTimerContext
  /** The deadline of each path, with its monotonic due time fixed when first seen. */
  readonly #slots = new Map<string, Slot>()
  readonly #alarm: Alarm
  /** The deadlines `#track` saw last: a commit that left them alone (the same object) costs nothing more. */
  #tracked: Expiries | undefined
  #closed = false

  constructor(ctx: ExpiryTimerContext) {
    this.#ctx = ctx
    this.#alarm = new Alarm(ctx.timers)
  }

  /** Resets what expired while the store was stopped, then waits for the next deadline. */
  async start(): Promise<void> {
    this.#track()
    const wall = this.#ctx.clock().getTime()
    for (const slot of this.#slots.values()) if (slot.at <= wall) slot.late = true
    await this.#fire()
    this.#arm()
  }

  /** After a commit: the deadlines may have changed, and refused resets get another try. */
  sync(): void {
    if (this.#closed) return
    for (const slot of this.#slots.values()) if (slot.state === 'waiting') slot.state = 'idle'
    this.#track()
    this.#arm()
  }

  close(): void {
    this.#closed = true
    this.#alarm.clear()
  }

  // --- internal ---

  /**
   * Fixes the due time of new deadlines; forgets those that are gone. One pass over the deadlines without
   * allocating per entry: a commit that changes one of many costs little more than reading them.
   */
  #track(): void {
    const { timers, clock, deadlines } = this.#ctx
    const current = deadlines()
    if (current === this.#tracked) return
    this.#tracked = current
    let now: number | undefined
    let wall = 0
    // `forEach`, not `for...of`: an entries iterator makes an array per entry, on every commit that changes them.
    current.forEach((e, path) => {
      if (this.#slots.get(path)?.revision === e.revision) return
      if (now === undefined) {
        now = timers.now()
        wall = clock().getTime()
      }
      // Re-inserted, so the paths one revision set keep the order it wrote them in.
      this.#slots.delete(path)
      this.#slots.set(path, {
        revision: e.revision,
        at: e.at,
        due: now + (e.at - wall),
        state: 'idle',
        late: false,
      })
    })
    if (this.#slots.size === current.size) return
    this.#slots.forEach((slot, path) => {
      if (current.get(path)?.revision !== slot.revision) this.#slots.delete(path)
    })
  }

  #arm(): void {
    let next = Number.POSITIVE_INFINITY
    for (const slot of this.#slots.values()) if (slot.state === 'idle' && slot.due < next) next = slot.due
    this.#alarm.set(next, () => {
      void this.#fire()
      this.#arm()
    })
  }

  /**
   * Queues one reset of every deadline due now (one pass however many: a store that fell behind catches up in one
   * transaction, not one per deadline); settles when it has.
   */
  async #fire(): Promise<void> {
    if (this.#closed) return
    const now = this.#ctx.timers.now()
    const groups = new Map<number, Due[]>()
    this.#slots.forEach((slot, path) => {
      if (slot.state !== 'idle' || slot.due > now) return
      const group = groups.get(slot.revision)
      if (group) group.push({ path, slot })
      else groups.set(slot.revision, [{ path, slot }])
    })
    if (groups.size > 0) await this.#expire([...groups.values()])
  }

  /** Resets `groups` (the deadlines set by one revision each) in one transaction. */
  async #expire(groups: readonly (readonly Due[])[]): Promise<void> {
    const due = groups.flat()
    for (const d of due) d.slot.state = 'busy'
    const reason = `expiry of ${this.#summary(groups)}`
    const refs = due.map((d) => ({ path: d.path, revision: d.slot.revision }))
    const result = await this.#ctx.expire(refs, { source: 'expiry', reason })
    // Committed: the deadlines are gone (the commit re-armed). Otherwise wait for the next commit.
    if (result.status === 'committed' || this.#closed) {
      for (const d of due) d.slot.state = 'idle'
      return
    }
    // One refused override must not hold back the others: each revision's then gets its own transaction.
    if (result.status === 'rejected' && groups.length > 1) {
      for (const d of due) d.slot.state = 'idle'
      await Promise.all(groups.map((g) => this.#expire([g])))
      return
    }
    for (const d of due) d.slot.state = 'waiting'
    if ('errors' in result) {
      const outcome = result.status === 'rejected' ? 'rejected' : 'rolled back'
      this.#ctx.warn(
        'EXPIRY_FAILED',
        `${reason} was ${outcome}; it is tried again after the next change:\n${formatIssues(result.errors)}`,
      )
    }
  }

  /**
   * The groups a reason names: all of them when few, else the first ones and a count (a burst of a thousand deadlines
   * set by as many writes must not write a reason of a thousand clauses into history, the log and every event).
   */
  #summary(groups: readonly (readonly Due[])[]): string {
    const named = groups.length <= NAMED_GROUPS ? groups : groups.slice(0, NAMED_GROUPS - 1)
    const text = named.map((g) => this.#described(g)).join('; ')
    if (named.length === groups.length) return text
    const rest = groups.slice(named.length)
    const paths = rest.reduce((n, g) => n + g.length, 0)
    return `${text}; and ${paths} more set by ${rest.length} other revisions`
  }

  /** `a, b set at revision 7 by ops`, and why it is late when it passed while the store was stopped. */
  #described(group: readonly Due[]): string {
    const { path, slot } = group[0]!
    const actor = this.#ctx.deadlines().get(path)?.actor
    const late = group.some((d) => d.slot.late)
    return `${group.map((d) => d.path).join(', ')} set at revision ${slot.revision}${actor === undefined ? '' : ` by ${actor}`}${
      late ? ' (the deadline passed while the store was stopped)' : ''
    }`
  }
}

// --- internal ---

/** One path's deadline as the timer tracks it. */
interface Slot {
  readonly revision: number
  /** Wall-clock epoch milliseconds, as persisted. */
  readonly at: number
  /** Monotonic, fixed when first seen. */
  readonly due: number
  /** Queued and not yet settled (`busy`), or refused until the next commit (`waiting`). */
  state: 'idle' | 'busy' | 'waiting'
  /** Passed while the store was stopped: its history says so. */
  late: boolean
}

/** How many revisions' deadlines an expiry's reason names one by one. */
const NAMED_GROUPS = 5

interface Due {
  readonly path: string
  readonly slot: Slot
}
