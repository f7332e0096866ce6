import { describe, expect, expectTypeOf, it } from 'vitest'
import { type ConfigStore, createConfigStore, type Path, type PathValue } from '../src/index.ts'
import { type AppConfig, appSchema } from './fixtures/schemas.ts'

describe('types inferred from the schema', () => {
  it('infers the store type with no type parameter', async () => {
    const store = await createConfigStore({ schema: appSchema })
    expectTypeOf(store).toEqualTypeOf<ConfigStore<AppConfig>>()
    expectTypeOf(store.current.pool.max).toEqualTypeOf<number>()
    expectTypeOf(store.current.apiKey).toEqualTypeOf<string | undefined>()
    expectTypeOf(store.get('pool.max')).toEqualTypeOf<number>()
    expectTypeOf(store.get('features.tags')).toEqualTypeOf<readonly string[]>()
    await store.close()
  })

  it('makes a wrong path or a wrong value type a compile error', async () => {
    const store = await createConfigStore({ schema: appSchema })
    // @ts-expect-error: no such path (and at run time a NOT_FOUND ConfigError)
    expect(() => store.get('pool.maxx')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }))
    // @ts-expect-error: wrong value type for the path
    await store.set('pool.max', 'ten')
    expect(() => {
      // @ts-expect-error: current is read-only, and frozen at run time too
      store.current.pool.max = 3
    }).toThrow(TypeError)
    // @ts-expect-error: not a key of the schema
    await store.update({ pool: { size: 3 } })
    await store.close()
  })

  it('lists dotted paths and their value types', () => {
    expectTypeOf<'server.port'>().toExtend<Path<AppConfig>>()
    expectTypeOf<'pool'>().toExtend<Path<AppConfig>>()
    expectTypeOf<PathValue<AppConfig, 'server.port'>>().toEqualTypeOf<number>()
    expectTypeOf<PathValue<AppConfig, 'limits.rps'>>().toEqualTypeOf<number>()
  })
})
