import { messageOf } from '../error-message.ts'
import { Ring } from '../ring.ts'
import type { Redactor } from '../schema/redactor.ts'
import type { StoreCounters } from '../stats.ts'
import type { ObserverHooks } from '../streams.ts'
import type { AdapterState, Logger, StoreEvent, StoreStatus, WarningCode } from '../types.ts'

/** Where notices go and what they are scrubbed against. */
export interface NoticesContext {
  readonly redactor: Redactor
  readonly logger: Logger
  readonly clock: () => Date
  /** The live config: its secrets are scrubbed from every message. */
  readonly current: () => unknown
  /** Puts one event on `events$`. */
  readonly event: (event: StoreEvent) => void
}

const WARNINGS_KEPT = 50

/**
 * What a store tells besides its transactions: warnings (kept for `status().warnings`, logged, on `events$`) and
 * the states of its adapters. Every message leaves through here, scrubbed of the live secrets whoever wrote it.
 */
/** An adapter as `status().adapters` shows it. */
interface AdapterSlot {
  readonly name: string
  readonly optional?: true
  state: AdapterState
  lastError?: string
}

export class StoreNotices {
  readonly #ctx: NoticesContext
  readonly #warnings = new Ring<{ code: WarningCode; message: string; at: Date }>(WARNINGS_KEPT)
  readonly #adapters: AdapterSlot[] = []

  constructor(ctx: NoticesContext) {
    this.#ctx = ctx
  }

  /** A warning for logs, `events$` and `status().warnings`. */
  warn(code: WarningCode, text: string): void {
    const { redactor, clock, logger } = this.#ctx
    const message = redactor.scrub(text, this.#ctx.current())
    const at = clock()
    this.#warnings.push({ code, message, at })
    logger.warn(message, { code })
    this.#ctx.event({ type: 'warning', code, message, at })
  }

  /** Scrubs the live secrets from a message that leaves the store. */
  scrub(text: string): string {
    return this.#ctx.redactor.scrub(text, this.#ctx.current())
  }

  /** Registers an adapter; its state shows in `status().adapters` and on `events$`. */
  adapterSlot(name: string, optional = false): (state: AdapterState, error?: unknown) => void {
    const slot: AdapterSlot = optional ? { name, optional, state: 'starting' } : { name, state: 'starting' }
    this.#adapters.push(slot)
    return (state, error) => {
      slot.state = state
      // An adapter's error may quote what it read (a file, an etcd value): scrubbed like every message.
      const message = error === undefined ? undefined : this.scrub(messageOf(error))
      if (message !== undefined) slot.lastError = message
      this.#ctx.event({
        type: 'adapter',
        name,
        state,
        ...(message === undefined ? {} : { error: message }),
        at: this.#ctx.clock(),
      })
    }
  }

  /** The part of `status()` notices keep. */
  status(): Pick<StoreStatus, 'adapters' | 'warnings'> {
    return { adapters: this.#adapters.map((a) => ({ ...a })), warnings: this.#warnings.newest() }
  }

  /** The streams' hooks: an observer that throws is counted and reported as `OBSERVER_FAILED`. */
  observerHooks(counters: StoreCounters): ObserverHooks {
    let reporting = false
    return {
      observers: 0,
      onObserverError: (error: unknown) => {
        counters.observerErrors++
        const message = `an observer threw: ${this.scrub(messageOf(error))}`
        // An events$ observer that throws on every event would throw on this warning too: report once, not forever.
        if (reporting) return this.#ctx.logger.error(message)
        reporting = true
        try {
          this.warn('OBSERVER_FAILED', message)
        } finally {
          reporting = false
        }
      },
    }
  }
}
