import {
  type Attributes,
  type MeterProvider,
  metrics,
  type ObservableResult,
  type Span,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api'
import type { ConfigStore, StoreEvent } from '../../types.ts'

/** Options of `instrumentStore`. */
export interface InstrumentOptions {
  /** Where spans go. @default the global one (`trace.getTracerProvider()`), a no-op until an SDK registers */
  readonly tracerProvider?: TracerProvider
  /** Where metrics go. @default the global one (`metrics.getMeterProvider()`): set it up before instrumenting */
  readonly meterProvider?: MeterProvider
}

/** What `instrumentStore` returns: stops the spans and metrics (they stop by themselves when the store closes). */
export interface Instrumentation extends Disposable {
  dispose(): void
}

/**
 * Traces and measures a store through `@opentelemetry/api`, from its `events$`. Each transaction is one span,
 * `hotconf.transaction`, with the attributes `hotconf.intent`, `hotconf.source`, `hotconf.status`, `hotconf.revision`
 * and `hotconf.changes` (the number of changed paths), each phase as a span event, and for a refused change the
 * status `ERROR` and one `exception` event per issue (code, path and message, which the store has already scrubbed
 * of secret values; no config value is ever put on a span). Metrics: the counters `hotconf.commits`,
 * `hotconf.rejected`, `hotconf.rolled_back`, `hotconf.reloads`, the histogram `hotconf.transaction.duration` (s, by
 * status and intent) and the gauges `hotconf.config.revision` and `hotconf.pending_restart`.
 *
 * @example
 * const store = await createConfigStore({ schema })
 * const instrumentation = instrumentStore(store) // after the OpenTelemetry SDK has started
 */
export function instrumentStore(
  store: ConfigStore<unknown>,
  options: InstrumentOptions = {},
): Instrumentation {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE)
  const instruments = createInstruments(store, options.meterProvider ?? metrics.getMeterProvider())
  const spans = new Map<number, Span>()
  const subscription = store.events$.subscribe({
    next(event) {
      if (event.type !== 'transaction') return
      if (event.phase === 'started') {
        const attributes: Attributes = {
          'hotconf.transaction.id': event.id,
          'hotconf.intent': event.intent,
          'hotconf.source': event.source,
          'hotconf.environment': store.environment,
          ...(event.actor === undefined ? {} : { 'hotconf.actor': event.actor }),
        }
        spans.set(event.id, tracer.startSpan('hotconf.transaction', { attributes, startTime: event.at }))
        return
      }
      const span = spans.get(event.id)
      span?.addEvent(event.phase, event.at)
      if (event.durationMs === undefined) return
      instruments.record(event)
      if (span === undefined) return
      spans.delete(event.id)
      endSpan(span, event)
    },
    complete: () => dispose(),
  })
  function dispose(): void {
    subscription.unsubscribe()
    instruments.dispose()
    for (const span of spans.values()) span.end()
    spans.clear()
  }
  return { dispose, [Symbol.dispose]: dispose }
}

// --- internal ---

const SCOPE = 'hotconf'
type TransactionEvent = Extract<StoreEvent, { type: 'transaction' }>

function endSpan(span: Span, event: TransactionEvent): void {
  const errors = event.errors ?? []
  span.setAttributes({
    'hotconf.status': event.phase,
    'hotconf.revision': event.revision,
    'hotconf.changes': event.changes?.length ?? 0,
  })
  for (const issue of errors) {
    span.addEvent(
      'exception',
      { 'exception.type': issue.code, 'exception.message': issue.message, 'hotconf.path': issue.path },
      event.at,
    )
  }
  if (errors.length > 0) {
    const [first] = errors
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: `${event.phase}: ${first?.code} at ${first?.path || '(root)'}${errors.length > 1 ? ` and ${errors.length - 1} more` : ''}`,
    })
  }
  span.end(event.at)
}

/** The counters, histogram and gauges, and a way to stop observing the store. */
function createInstruments(store: ConfigStore<unknown>, provider: MeterProvider) {
  const meter = provider.getMeter(SCOPE)
  const counter = (name: string, description: string) =>
    meter.createCounter(`hotconf.${name}`, { description, unit: '{transaction}' })
  const commits = counter('commits', 'Committed transactions.')
  const rejected = counter('rejected', 'Transactions rejected by validation.')
  const rolledBack = counter('rolled_back', 'Transactions rolled back by a participant or a failed write.')
  const reloads = counter('reloads', 'Reloads of the sources, whatever their outcome.')
  const duration = meter.createHistogram('hotconf.transaction.duration', {
    description: 'Transaction latency, by outcome and intent.',
    unit: 's',
  })
  const revision = meter.createObservableGauge('hotconf.config.revision', {
    description: 'The live revision.',
  })
  const pending = meter.createObservableGauge('hotconf.pending_restart', {
    description: 'Keys whose new value waits for a restart.',
  })
  const observeRevision = (result: ObservableResult) => result.observe(store.revision)
  const observePending = (result: ObservableResult) => result.observe(store.status().pendingRestart.length)
  revision.addCallback(observeRevision)
  pending.addCallback(observePending)
  return {
    record(event: TransactionEvent): void {
      const byOutcome = { committed: commits, rejected, rolledBack } as const
      byOutcome[event.phase as keyof typeof byOutcome]?.add(1)
      if (event.intent === 'reload') reloads.add(1)
      duration.record((event.durationMs ?? 0) / 1000, {
        'hotconf.status': event.phase,
        'hotconf.intent': event.intent,
      })
    },
    dispose(): void {
      revision.removeCallback(observeRevision)
      pending.removeCallback(observePending)
    },
  }
}
