import { type TracingChannel, tracingChannel } from 'node:diagnostics_channel'
import { ConfigError } from './errors.ts'
import type { StoreEvent, TransactionIntent, TransactionPhase, TransactionRecord } from './types.ts'

/** The `node:diagnostics_channel` TracingChannel every store publishes its transactions on. */
export const TRANSACTION_CHANNEL = 'hotconf:transaction'

/**
 * The one object a transaction's messages carry on `hotconf:transaction`, from `start` to `asyncEnd`, so an APM can
 * keep its span on it. `phase` and `revision` follow the transaction; `result` is set before `asyncStart`, and
 * `error` (a `ConfigError` with the issues) before `error` when the outcome is `rejected` or `rolledBack`. Changes
 * and messages are redacted as in `events$`.
 */
export interface TransactionTrace {
  readonly id: number
  readonly environment: string
  readonly intent: TransactionIntent
  readonly source: string
  readonly actor?: string
  readonly reason?: string
  phase: TransactionPhase
  revision: number
  result?: Omit<TransactionRecord, 'id' | 'source' | 'actor' | 'reason' | 'at'>
  error?: ConfigError
}

/** A transaction's event on `events$`, which the pipeline also hands the tracer. */
export type TransactionEvent = Extract<StoreEvent, { type: 'transaction' }>

/**
 * Publishes one store's transactions on the `hotconf:transaction` TracingChannel: `start` and `end` when one starts
 * (the write returned its promise), then `error` for a refused outcome, `asyncStart` and `asyncEnd` when it settles.
 * The pipeline hands it its transaction events itself, and builds a phase's event for it only while it is `wanted`:
 * with no subscriber a transaction costs nothing here. A transaction that started before the first subscriber came
 * is left out whole, so a subscriber never sees half of one (so is a write refused before it started, `CLOSED` or
 * `REENTRANT`).
 */
export class TransactionTracer {
  readonly #channel = tracingChannel<TransactionTrace, TransactionTrace>(TRANSACTION_CHANNEL)
  readonly #open = new Map<number, TransactionTrace>()
  readonly #environment: string

  constructor(environment: string) {
    this.#environment = environment
  }

  /** Whether a phase's event is worth building for the channel: it has subscribers, or a traced one is still open. */
  get wanted(): boolean {
    return this.#open.size > 0 || this.#channel.hasSubscribers
  }

  observe(event: TransactionEvent): void {
    const trace = this.#open.get(event.id)
    if (event.phase === 'started') {
      if (!this.#channel.hasSubscribers) return
      const started = traceOf(event, this.#environment)
      this.#open.set(event.id, started)
      this.#channel.start.publish(started)
      this.#channel.end.publish(started)
    } else if (trace !== undefined) {
      trace.phase = event.phase
      trace.revision = event.revision
      if (event.durationMs !== undefined) {
        settle(this.#channel, trace, event)
        this.#open.delete(event.id)
      }
    }
  }
}

// --- internal ---

function traceOf(event: TransactionEvent, environment: string): TransactionTrace {
  return {
    id: event.id,
    environment,
    intent: event.intent,
    source: event.source,
    ...(event.actor === undefined ? {} : { actor: event.actor }),
    ...(event.reason === undefined ? {} : { reason: event.reason }),
    phase: event.phase,
    revision: event.revision,
  }
}

/** An outcome: the only events that carry `durationMs`. */
function settle(
  channel: TracingChannel<TransactionTrace, TransactionTrace>,
  trace: TransactionTrace,
  event: TransactionEvent,
): void {
  const errors = event.errors ?? []
  trace.result = {
    status: event.phase as TransactionRecord['status'],
    revision: event.revision,
    durationMs: event.durationMs ?? 0,
    changes: event.changes ?? [],
    errors,
  }
  if (errors.length > 0) {
    trace.error = new ConfigError(errors)
    channel.error.publish(trace)
  }
  channel.asyncStart.publish(trace)
  channel.asyncEnd.publish(trace)
}
