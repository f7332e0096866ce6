import { AsyncLocalStorage } from 'node:async_hooks'
import { messageOf } from '../error-message.ts'
import { issue } from '../errors.ts'
import { overlaps } from '../tree/paths.ts'
import type { Change, ConfigIssue, Participant, ParticipantOptions, TransactionInfo } from '../types.ts'
import { withTimeout } from '../with-timeout.ts'

interface Entry {
  readonly handler: Participant<unknown>
  readonly paths: readonly string[] | undefined
  readonly timeoutMs: number
  readonly name: string
}

/** What a participant run needs about the transaction, besides the configs. */
export type RunInfo = Omit<TransactionInfo, 'compensating' | 'signal'>

/**
 * The participants of the applying step. They run one after the other in registration order, each within its
 * timeout; the first veto stops the run and every participant that had accepted is called again with
 * `(prev, next)`, newest first, so live components go back to the config that stays.
 */
export class ParticipantSet {
  readonly #entries = new Set<Entry>()
  /** The participant call an async context descends from; `active` until that call returns or times out. */
  readonly #calls = new AsyncLocalStorage<{ active: boolean }>()

  constructor(
    private readonly defaultTimeoutMs: number,
    /**
     * Told when a participant fails to undo an accepted change: the store reports `COMPENSATION_FAILED`. `configs`
     * are the two it saw, whose secrets the message may quote.
     */
    private readonly onCompensationFailed: (message: string, configs: readonly unknown[]) => void,
  ) {}

  get size(): number {
    return this.#entries.size
  }

  /**
   * True when the caller runs inside a participant of this set that has not returned yet: a store call from there
   * that waits for the transaction queue would wait for itself.
   */
  get calling(): boolean {
    return this.#calls.getStore()?.active === true
  }

  add(handler: Participant<unknown>, options: ParticipantOptions = {}): () => void {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs
    if (!(timeoutMs > 0)) throw new RangeError(`participate: timeoutMs must be > 0, got ${timeoutMs}`)
    const entry: Entry = {
      handler,
      paths: options.paths,
      timeoutMs,
      name: options.name ?? (handler.name || `participant#${this.#entries.size + 1}`),
    }
    this.#entries.add(entry)
    return () => {
      this.#entries.delete(entry)
    }
  }

  /** True when some participant watches one of the changed paths. */
  concerns(changes: readonly Change[]): boolean {
    for (const entry of this.#entries) if (this.#matches(entry, changes)) return true
    return false
  }

  /** Runs the matching participants; on a veto compensates and returns the issues. */
  async run(
    next: unknown,
    prev: unknown,
    info: RunInfo,
  ): Promise<{ accepted: () => Promise<void>; errors?: ConfigIssue[] }> {
    const accepted: Entry[] = []
    const compensate = () => this.#compensate(accepted, next, prev, info)
    for (const entry of [...this.#entries]) {
      if (!this.#matches(entry, info.changes)) continue
      const failure = await this.#call(entry, next, prev, info, false)
      if (failure) {
        await compensate()
        return { accepted: async () => {}, errors: [failure] }
      }
      accepted.push(entry)
    }
    return { accepted: compensate }
  }

  // --- internal ---

  #matches(entry: Entry, changes: readonly Change[]): boolean {
    if (!entry.paths) return true
    return changes.some((c) => entry.paths!.some((p) => overlaps(c.path, p)))
  }

  async #compensate(accepted: readonly Entry[], next: unknown, prev: unknown, info: RunInfo): Promise<void> {
    for (const entry of [...accepted].reverse()) {
      const failure = await this.#call(entry, prev, next, info, true)
      // The veto stands either way; a component left on the refused config must be visible to operators.
      if (failure)
        this.onCompensationFailed(`participant "${entry.name}" failed to compensate: ${failure.message}`, [
          next,
          prev,
        ])
    }
  }

  async #call(entry: Entry, next: unknown, prev: unknown, info: RunInfo, compensating: boolean) {
    const path = info.changes[0]?.path ?? ''
    const call = { active: true }
    const expired = new Error('participant timed out')
    try {
      await withTimeout(
        entry.timeoutMs,
        (signal) =>
          this.#calls.run(call, () =>
            entry.handler(next as never, prev as never, { ...info, compensating, signal }),
          ),
        () => expired,
      )
      return undefined
    } catch (error) {
      if (error === expired) {
        return issue(
          'PARTICIPANT_TIMEOUT',
          path,
          `participant "${entry.name}" did not answer within ${entry.timeoutMs} ms`,
        )
      }
      return issue('PARTICIPANT_FAILED', path, `participant "${entry.name}" refused: ${messageOf(error)}`)
    } finally {
      call.active = false
    }
  }
}
