import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { z } from 'zod'
import { type ConfigSource, createConfigStore } from '../src/index.ts'

// Every leaf is optional so any layer may set any subset; arrays replace, objects merge.
const schema = z.object({
  a: z.object({ x: z.number().optional(), y: z.string().optional(), list: z.array(z.number()).optional() }),
  b: z.object({ deep: z.object({ flag: z.boolean().optional(), n: z.number().optional() }) }),
  c: z.number().optional(),
})

const layer = fc.record(
  {
    a: fc.record(
      { x: fc.integer(), y: fc.string(), list: fc.array(fc.integer(), { maxLength: 3 }) },
      { requiredKeys: [] },
    ),
    b: fc.record(
      { deep: fc.record({ flag: fc.boolean(), n: fc.integer() }, { requiredKeys: [] }) },
      { requiredKeys: [] },
    ),
    c: fc.integer(),
  },
  { requiredKeys: [] },
)

/** The reference: a plain recursive merge, written independently of the store's. */
function reference(layers: readonly unknown[]): Record<string, unknown> {
  const merge = (base: unknown, over: unknown): unknown => {
    if (over === undefined) return base
    const isObj = (v: unknown): v is Record<string, unknown> =>
      typeof v === 'object' && v !== null && !Array.isArray(v)
    if (!isObj(over) || !isObj(base)) return over
    const out: Record<string, unknown> = { ...base }
    for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v)
    return out
  }
  return layers.reduce<Record<string, unknown>>((acc, l) => merge(acc, l) as Record<string, unknown>, {
    a: {},
    b: { deep: {} },
  })
}

const source = (name: string, data: Record<string, unknown>): ConfigSource => ({
  name,
  load: async () => ({ data }),
})

describe('layers', () => {
  test.prop([layer, fc.array(layer, { maxLength: 3 }), layer], { numRuns: 60 })(
    'the effective config equals a reference deep merge, and explain names the top layer that sets each leaf',
    async (initial, sourceData, overrides) => {
      const store = await createConfigStore({
        schema,
        initial: initial as never,
        sources: sourceData.map((d, i) => source(`layer:${i}`, d)),
      })
      if (Object.keys(overrides).length > 0) {
        const result = await store.update(overrides as never)
        expect(result.status).not.toBe('rejected')
      }
      const layers = [initial, ...sourceData, overrides]
      expect(store.current).toEqual(reference(layers))
      const names = ['initial', ...sourceData.map((_, i) => `layer:${i}`), 'override']
      for (const path of ['a.x', 'a.y', 'a.list', 'b.deep.flag', 'b.deep.n', 'c'] as const) {
        const segments = path.split('.')
        const at = (l: unknown) =>
          segments.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], l)
        const setters = layers.map((l, i) => [names[i], at(l)] as const).filter(([, v]) => v !== undefined)
        const explained = store.explain(path)
        expect(explained.value).toEqual(store.get(path))
        if (setters.length === 0) {
          expect(explained.value).toBeUndefined()
          continue
        }
        // An override equal to the value below it changes nothing, so the lower layer still shows as the source.
        const top = setters[setters.length - 1]!
        expect(explained.value).toEqual(top[1])
        expect([
          top[0],
          ...setters.filter(([, v]) => JSON.stringify(v) === JSON.stringify(top[1])).map(([n]) => n),
        ]).toContain(explained.layer)
        expect(explained.shadowed.length).toBeLessThanOrEqual(setters.length - 1)
      }
      await store.close()
    },
  )
})
