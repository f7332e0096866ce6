import { SpanStatusCode } from '@opentelemetry/api'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterEach, describe, expect, it } from 'vitest'
import { createConfigStore } from '../../src/index.ts'
import { instrumentStore } from '../../src/integrations/opentelemetry/index.ts'
import { appSchema } from '../fixtures/schemas.ts'

const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const SECRET = 'sk-live-otel-0001'
const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/** A store instrumented into the OpenTelemetry SDK's in-memory exporters. */
async function instrumented() {
  const spans = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] })
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  // Collected on demand (forceFlush), never on a timer.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
  const meterProvider = new MeterProvider({ readers: [reader] })
  const store = await createConfigStore({ schema: appSchema, initial: { apiKey: SECRET }, logger: quiet })
  const instrumentation = instrumentStore(store, { tracerProvider, meterProvider })
  cleanups.push(
    () => store.close(),
    () => meterProvider.shutdown(),
    () => tracerProvider.shutdown(),
  )
  const metrics = async () => {
    await reader.forceFlush()
    const found = new Map<string, MetricData>()
    for (const rm of exporter.getMetrics())
      for (const scope of rm.scopeMetrics) for (const m of scope.metrics) found.set(m.descriptor.name, m)
    exporter.reset()
    return found
  }
  const total = (m: MetricData | undefined) =>
    (m?.dataPoints as { value: number }[] | undefined)?.reduce((sum, p) => sum + p.value, 0)
  return { store, spans, instrumentation, metrics, total }
}

describe('instrumentStore (hotconf/opentelemetry, #21)', () => {
  it('makes one hotconf.transaction span per transaction, with its attributes and phases as events', async () => {
    const { store, spans } = await instrumented()
    await store.set('pool.max', 20, { actor: 'ops' })
    const [span, ...others] = spans.getFinishedSpans()
    expect(others).toEqual([])
    expect(span?.name).toBe('hotconf.transaction')
    expect(span?.attributes).toMatchObject({
      'hotconf.intent': 'set',
      'hotconf.source': 'api',
      'hotconf.actor': 'ops',
      'hotconf.status': 'committed',
      'hotconf.revision': 2,
      'hotconf.changes': 1,
    })
    expect(span?.events.map((e) => e.name)).toEqual(['validating', 'applying', 'notifying', 'committed'])
    expect(span?.status.code).toBe(SpanStatusCode.UNSET)
  })

  it('records a refused change as an error with its issues, and no secret value anywhere', async () => {
    const { store, spans } = await instrumented()
    await store.update({ pool: { min: 50 }, apiKey: 'sk-live-otel-0002' })
    store.participate(() => {
      throw new Error(`no: ${SECRET}`)
    })
    await store.set('pool.max', 30)
    const [rejected, rolledBack] = spans.getFinishedSpans()
    expect(rejected?.attributes['hotconf.status']).toBe('rejected')
    expect(rejected?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'rejected: INVALID at pool' })
    expect(rejected?.events.find((e) => e.name === 'exception')?.attributes).toMatchObject({
      'exception.type': 'INVALID',
      'hotconf.path': 'pool',
    })
    expect(rolledBack?.attributes['hotconf.status']).toBe('rolledBack')
    expect(rolledBack?.status.code).toBe(SpanStatusCode.ERROR)
    const exported = JSON.stringify(spans.getFinishedSpans().map((s) => [s.attributes, s.events, s.status]))
    expect(exported).toContain('PARTICIPANT_FAILED')
    expect(exported).not.toMatch(/sk-live-otel/)
  })

  it('counts outcomes and reloads, times them, and observes the revision and pending restarts', async () => {
    const { store, metrics, total } = await instrumented()
    await store.set('pool.max', 20)
    await store.set('pool.max', 0)
    await store.set('pool.min', 50)
    // A restart key cannot change live: rejected too.
    await store.set('server.port', 9090)
    await store.reload()
    const m = await metrics()
    expect(total(m.get('hotconf.commits'))).toBe(1)
    expect(total(m.get('hotconf.rejected'))).toBe(3)
    expect(total(m.get('hotconf.rolled_back'))).toBeUndefined()
    expect(total(m.get('hotconf.reloads'))).toBe(1)
    expect(m.get('hotconf.config.revision')?.dataPoints[0]?.value).toBe(store.revision)
    expect(m.get('hotconf.pending_restart')?.dataPoints[0]?.value).toBe(0)
    const duration = m.get('hotconf.transaction.duration')
    expect(duration?.descriptor.unit).toBe('s')
    const byStatus = Object.fromEntries(
      (duration?.dataPoints ?? []).map((p) => [
        `${p.attributes['hotconf.intent']}/${p.attributes['hotconf.status']}`,
        (p.value as { count: number }).count,
      ]),
    )
    expect(byStatus).toEqual({
      'set/committed': 1,
      'set/rejected': 3,
      'reload/unchanged': 1,
    })
  })

  it('stops when disposed, and by itself when the store closes', async () => {
    const { store, spans, instrumentation, metrics } = await instrumented()
    const observers = store.status().observers
    instrumentation.dispose()
    expect(store.status().observers).toBe(observers - 1)
    await store.set('pool.max', 20)
    expect(spans.getFinishedSpans()).toEqual([])
    expect((await metrics()).get('hotconf.config.revision')).toBeUndefined()
  })
})
