import type { Adapter, AdapterContext } from '../../src/index.ts'

/** An adapter that does nothing but keep its context, so a test can report states as a real trigger would. */
export function probeAdapter(name: string, optional = false): Adapter & { ctx?: AdapterContext } {
  const probe: Adapter & { ctx?: AdapterContext } = {
    name,
    ...(optional ? { optional } : {}),
    start(ctx) {
      probe.ctx = ctx as AdapterContext
      return { dispose() {} }
    },
  }
  return probe
}
