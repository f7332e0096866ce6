// The standards a platform already runs, fed by one store: OpenTelemetry spans and metrics (printed by the SDK's
// console exporters), Prometheus text from the admin app, and an OpenFeature client whose flag a file save flips.
// Run: node --conditions=@hotconf/source --import tsx examples/observability/main.ts
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { OpenFeature, ProviderEvents } from '@openfeature/server-sdk'
import {
  AggregationTemporality,
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { createConfigStore } from 'hotconf'
import { watchFiles } from 'hotconf/file'
import { createAdminApp } from 'hotconf/http'
import { HotconfProvider } from 'hotconf/openfeature'
import { instrumentStore } from 'hotconf/opentelemetry'
import { fileSource } from 'hotconf/sources'
import { z } from 'zod'

const schema = z.object({
  features: z.object({ newCheckout: z.boolean().default(false) }).prefault({}),
  pool: z.object({ max: z.number().int().min(1).default(10) }).prefault({}),
})

// The config file lives in a temporary directory, so running the example leaves the repository clean.
const dir = await mkdtemp(join(tmpdir(), 'hotconf-observability-'))
const file = join(dir, 'config.json')
await writeFile(file, JSON.stringify({ features: { newCheckout: false } }))

// In a service, @opentelemetry/sdk-node sets these up (with OTLP exporters) and instrumentStore uses the globals.
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())],
})
const metricReader = new PeriodicExportingMetricReader({
  exporter: new ConsoleMetricExporter({ temporalitySelector: () => AggregationTemporality.CUMULATIVE }),
  exportIntervalMillis: 3_600_000, // exported once, at shutdown
})
const meterProvider = new MeterProvider({ readers: [metricReader] })

const store = await createConfigStore({
  schema,
  sources: [fileSource(file)],
  adapters: [watchFiles({ debounceMs: 20 })],
})
try {
  using _otel = instrumentStore(store, { tracerProvider, meterProvider })

  console.log('— OpenFeature: a flag read through the standard client')
  await OpenFeature.setProviderAndWait(new HotconfProvider(store, { prefix: 'features' }))
  const flags = OpenFeature.getClient()
  assert.equal(await flags.getBooleanValue('newCheckout', true), false)
  console.log('newCheckout =', false)

  console.log('\n— a file save flips it (watchFiles reloads; one hotconf.transaction span below)')
  const changed = new Promise<string[] | undefined>((resolve) =>
    flags.addHandler(ProviderEvents.ConfigurationChanged, (details) => resolve(details?.flagsChanged)),
  )
  await writeFile(file, JSON.stringify({ features: { newCheckout: true } }))
  assert.deepEqual(await changed, ['newCheckout'])
  const details = await flags.getBooleanDetails('newCheckout', false)
  assert.equal(details.value, true)
  console.log(`newCheckout = ${details.value} (revision ${details.flagMetadata.revision}, ${details.reason})`)

  // A change the schema refuses: an error span with its issue, and a rejected count.
  assert.equal((await store.set('pool.max', 0, { actor: 'example' })).status, 'rejected')

  console.log('\n— Prometheus text from the admin app (GET /config/metrics)')
  const app = createAdminApp(store, { auth: 'none', logger: { error() {}, warn() {}, info() {} } })
  const text = await (await app.request('/config/metrics')).text()
  const wanted =
    /^hotconf_(config_revision|last_reload_successful|adapter_up|config_info|commits_total|rejected_total)\b/
  const shown = text.split('\n').filter((line) => wanted.test(line))
  console.log(shown.join('\n'))
  assert.ok(shown.includes('hotconf_last_reload_successful 1'))
  assert.ok(shown.includes('hotconf_adapter_up{adapter="file"} 1'))

  console.log('\n— OpenTelemetry metrics (console exporter)')
  await metricReader.forceFlush()
} finally {
  await OpenFeature.close()
  await store.close()
  await meterProvider.shutdown()
  await tracerProvider.shutdown()
  await rm(dir, { recursive: true, force: true })
}
