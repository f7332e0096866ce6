import { importOptional } from '../../adapter-kit.ts'

export type { Instrumentation, InstrumentOptions } from './instrument.ts'

// A static import of @opentelemetry/api would fail at link time with a bare ERR_MODULE_NOT_FOUND.
const otel = await importOptional(() => import('./instrument.ts'), 'hotconf/opentelemetry', [
  '@opentelemetry/api',
])

/** Spans and metrics of a store through `@opentelemetry/api` (see `instrument.ts`). */
export const instrumentStore: typeof otel.instrumentStore = otel.instrumentStore
