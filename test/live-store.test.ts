import { from } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConfigError, createConfigStore } from '../src/index.ts'
import { appSchema } from './fixtures/schemas.ts'

/** The store as a JavaScript caller sees it: any string is a path. */
interface Untyped {
  get(path: string): unknown
  select(path: string): unknown
  explain(path: string): unknown
  reset(path: string): Promise<unknown>
}
const untyped = (store: unknown) => store as Untyped

const notFound = (fn: () => unknown, path: string) => {
  const error = (() => {
    try {
      fn()
    } catch (e) {
      return e
    }
    return undefined
  })()
  expect(error).toBeInstanceOf(ConfigError)
  expect(error).toMatchObject({ code: 'NOT_FOUND', path })
}

describe('LiveStore reads', () => {
  it('throws NOT_FOUND when get() names a path the schema cannot have', async () => {
    await using store = await createConfigStore({ schema: appSchema })
    // JS users have no compile-time check: a typo must not read as undefined.
    const get = (path: string) => untyped(store).get(path)
    notFound(() => get('pool.maxx'), 'pool.maxx')
    notFound(() => get('nope'), 'nope')
    notFound(() => get('pool.max.deeper'), 'pool.max.deeper')
    notFound(() => get('features.tags.x.y'), 'features.tags.x.y')
    // Asked twice: the second read takes the cached reader and must still refuse.
    notFound(() => get('pool.maxx'), 'pool.maxx')
  })

  it('reads undefined when get() names an optional key that is unset, and any key of a record', async () => {
    await using store = await createConfigStore({ schema: appSchema, initial: { limits: { eu: 3 } } })
    const get = (path: string) => untyped(store).get(path)
    expect(get('apiKey')).toBeUndefined()
    expect(get('limits.eu')).toBe(3)
    expect(get('limits.us')).toBeUndefined()
    expect(get('pool.max')).toBe(10)
    expect(get('features.tags.0')).toBeUndefined()
  })

  it('accepts any path below a union, an unknown or a loose object', async () => {
    const schema = z.object({
      target: z.union([z.object({ host: z.string() }), z.string()]).optional(),
      meta: z.unknown().optional(),
      extra: z.looseObject({ known: z.number().default(1) }),
      tree: z.lazy(() => z.object({ leaf: z.number().default(1) })).prefault({}),
    })
    await using store = await createConfigStore({ schema })
    const get = (path: string) => untyped(store).get(path)
    expect(get('target.host')).toBeUndefined()
    expect(get('meta.a.b')).toBeUndefined()
    expect(get('extra.other')).toBeUndefined()
    expect(get('tree.leaf')).toBe(1)
    notFound(() => get('tree.nope'), 'tree.nope')
  })

  it('throws NOT_FOUND when select() names a path the schema cannot have', async () => {
    await using store = await createConfigStore({ schema: appSchema })
    const select = (path: string) => untyped(store).select(path)
    notFound(() => select('pool.nope'), 'pool.nope')
    const seen: unknown[] = []
    store.select('pool.max').subscribe((v) => seen.push(v))
    expect(seen).toEqual([10])
  })

  it('throws NOT_FOUND when explain() names a path the schema cannot have', async () => {
    await using store = await createConfigStore({ schema: appSchema })
    const explain = (path: string) => untyped(store).explain(path)
    notFound(() => explain('pool.nope'), 'pool.nope')
    expect(store.explain('apiKey')).toMatchObject({ path: 'apiKey', value: undefined })
  })

  it('rejects with NOT_FOUND when reset() names a path the schema cannot have', async () => {
    await using store = await createConfigStore({ schema: appSchema })
    await store.set('pool.max', 12)
    const reset = (path: string) => untyped(store).reset(path)
    await expect(reset('pool.maxx')).rejects.toMatchObject({ code: 'NOT_FOUND', path: 'pool.maxx' })
    expect(store.current.pool.max).toBe(12)
    expect(await store.reset('pool.max')).toMatchObject({ status: 'committed' })
    expect(await store.reset('limits.any')).toMatchObject({ status: 'unchanged' })
  })
})

describe('LiveStore.participate', () => {
  it('throws NOT_FOUND when paths names a path the schema cannot have', async () => {
    await using store = await createConfigStore({ schema: appSchema })
    notFound(() => store.participate(() => {}, { paths: ['pool', 'pool.maxx'] }), 'pool.maxx')
    const calls: number[] = []
    store.participate((next) => void calls.push(next.pool.max), { paths: ['pool.max', 'limits.eu'] })
    await store.set('pool.max', 12)
    expect(calls).toEqual([12])
  })
})

describe('LiveStore interop', () => {
  it('works with rxjs from() when given the store itself', async () => {
    await using store = await createConfigStore({ schema: appSchema })
    const seen: number[] = []
    const sub = from(store).subscribe((c) => seen.push(c.pool.max))
    await store.set('pool.max', 11)
    await store.set('pool.max', 12)
    sub.unsubscribe()
    await store.set('pool.max', 13)
    expect(seen).toEqual([11, 12])
  })

  it('completes a from(store) subscription when the store closes', async () => {
    const store = await createConfigStore({ schema: appSchema })
    let completed = false
    from(store).subscribe({ complete: () => (completed = true) })
    await store.close()
    expect(completed).toBe(true)
  })
})
