import { describe, expect, expectTypeOf, it } from 'vitest'
import { watchFiles } from '../src/adapters/file/index.ts'
import { createAdminApp, serveAdmin } from '../src/adapters/http/index.ts'
import { onSignal } from '../src/adapters/signal/index.ts'
import {
  type Adapter,
  type AdapterContext,
  type ConfigStore,
  createConfigStore,
  type Path,
  type PathValue,
} from '../src/index.ts'
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

describe('history entries', () => {
  it('carry the transaction id that events() and the HTTP API show (typed since #24)', async () => {
    const store = await createConfigStore({ schema: appSchema })
    const seen: number[] = []
    store.changes$.subscribe((c) => seen.push(c.id))
    await store.set('pool.max', 20)
    const [entry] = store.history()
    expectTypeOf(entry!.id).toEqualTypeOf<number>()
    expect(entry!.id).toBe(store.events()[0]!.id)
    expect(seen).toEqual([entry!.id])
    await store.close()
  })
})

describe('ConfigStore variance (#16)', () => {
  it('passes a typed store to a helper that takes any store when the helper says ConfigStore<unknown>', async () => {
    const store = await createConfigStore({ schema: appSchema })
    const revisionOf = (any: ConfigStore<unknown>) => any.revision
    expect(revisionOf(store)).toBe(1)
    const app = createAdminApp(store, { auth: 'none' })
    expect((await app.request('/config/values/pool.max')).status).toBe(200)
    expectTypeOf<ConfigStore<AppConfig>>().toExtend<ConfigStore<unknown>>()
    expectTypeOf<ConfigStore<{ a: number }>>().toExtend<ConfigStore<Record<string, unknown>>>()
    expectTypeOf<AdapterContext<AppConfig>>().toExtend<AdapterContext<unknown>>()
    await store.close()
  })

  it('reads any path as unknown when the store is ConfigStore<unknown>', () => {
    expectTypeOf<Path<unknown>>().toEqualTypeOf<string>()
    expectTypeOf<ConfigStore<unknown>['current']>().toEqualTypeOf<unknown>()
    expectTypeOf<ReturnType<ConfigStore<unknown>['get']>>().toEqualTypeOf<unknown>()
    expectTypeOf<Parameters<ConfigStore<unknown>['update']>[0]>().toEqualTypeOf<unknown>()
  })

  it('keeps a generic helper cast-free when it hands its typed context on as unknown', () => {
    const forward = <TConfig>(ctx: AdapterContext<TConfig>): AdapterContext<unknown> => ctx
    expectTypeOf(forward<AppConfig>).returns.toEqualTypeOf<AdapterContext<unknown>>()
  })

  it('accepts adapters for any config and for this config when the store is created', async () => {
    const typed: Adapter<AppConfig> = { name: 'typed', start: () => ({ dispose() {} }) }
    const untyped: Adapter<unknown> = { name: 'untyped', start: () => ({ dispose() {} }) }
    expectTypeOf(untyped).toExtend<Adapter<AppConfig>>()
    const store = await createConfigStore({
      schema: appSchema,
      adapters: [typed, untyped, watchFiles(), onSignal('SIGUSR2'), serveAdmin({ port: 0 })],
    })
    expect(store.status().adapters.map((a) => a.name)).toEqual([
      'typed',
      'untyped',
      'file',
      'signal:SIGUSR2',
      'http',
    ])
    await store.close()
  })

  it('still rejects a wrong path when the store is typed', () => {
    expectTypeOf<'pool.maxx'>().not.toExtend<Path<AppConfig>>()
    expectTypeOf<PathValue<AppConfig, 'pool'>>().toEqualTypeOf<{ min: number; max: number }>()
  })
})
