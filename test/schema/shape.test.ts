import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createConfigStore } from '../../src/index.ts'
import { isOptional, leafType, unwrap, wrapperChain } from '../../src/schema/shape.ts'

describe('schema shape (zod introspection)', () => {
  it('unwraps every wrapper zod gives an inner type, lazy included, down to the schema with the shape', () => {
    const port = z.number()
    const wrapped = z.lazy(() => port.optional().nullable().default(1).readonly().catch(2).nonoptional())
    expect(unwrap(wrapped)).toBe(port)
    expect(wrapperChain(wrapped)).toHaveLength(8)
    expect(leafType(wrapped)).toBe('number')
    // A pipe changes the value: it is a leaf of its own, not a wrapper.
    expect(leafType(z.string().pipe(z.coerce.number()))).toBe('pipe')
  })

  it("is optional exactly when zod lets an object key be missing (the schema's optin)", () => {
    const table: [z.ZodType, boolean][] = [
      [z.number(), false],
      [z.number().nullable(), false],
      [z.number().optional(), true],
      [z.number().optional().nullable(), true],
      [z.number().default(1), true],
      [z.number().prefault(1), true],
      [z.number().catch(1), true],
      [z.number().optional().nonoptional(), false],
      [z.lazy(() => z.number().optional()), true],
    ]
    for (const [schema, optional] of table) {
      expect(isOptional(schema)).toBe(optional)
      expect(z.object({ k: schema }).safeParse({}).success || !optional).toBe(true)
    }
  })

  it('fills a missing nested object from its defaults unless the object is optional', async () => {
    const pool = z.object({ max: z.number().default(10) })
    const schema = z.object({ filled: pool, nullable: pool.nullable(), optional: pool.optional() })
    const store = await createConfigStore({ schema, initial: {} as never })
    expect(store.current).toEqual({ filled: { max: 10 }, nullable: { max: 10 } })
    await store.close()
  })
})
