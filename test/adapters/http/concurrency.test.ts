import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Served, serveTestStore, WRITE } from './fixture.ts'

let s: Served
beforeAll(async () => {
  s = await serveTestStore()
})
afterAll(async () => {
  await s.store.close()
})

describe('admin API optimistic concurrency', () => {
  it('accounts for every one of 20 concurrent If-Match PATCHes: each committed or 412, revisions gap-free', async () => {
    const start = s.store.revision
    const before = s.store.stats()
    const clients = 20
    const outcomes: { client: number; status: number; revision?: number }[] = []

    // Each client reads the ETag, then writes its own value under If-Match; on 412 it reads again and retries.
    async function client(i: number) {
      for (;;) {
        const read = await s.call('GET', '', { token: WRITE })
        const etag = read.headers.get('etag')!
        await read.body?.cancel()
        const res = await s.call('PATCH', '', {
          token: WRITE,
          body: { pool: { max: 100 + i } },
          headers: { 'if-match': etag },
        })
        const body: any = await res.json()
        outcomes.push({
          client: i,
          status: res.status,
          ...(res.status === 200 ? { revision: body.revision } : {}),
        })
        expect([200, 412], JSON.stringify(body)).toContain(res.status)
        if (res.status === 200) {
          expect(body).toMatchObject({ status: 'committed', rollbackTo: Number(/-(\d+)"$/.exec(etag)![1]) })
          return
        }
        expect(body.code).toBe('STALE_REVISION')
      }
    }
    await Promise.all(Array.from({ length: clients }, (_, i) => client(i)))

    const committed = outcomes.filter((o) => o.status === 200)
    expect(committed).toHaveLength(clients)
    expect(new Set(committed.map((o) => o.client)).size).toBe(clients)
    expect(committed.map((o) => o.revision).sort((a, b) => a! - b!)).toEqual(
      Array.from({ length: clients }, (_, i) => start + 1 + i),
    )
    expect(outcomes.filter((o) => o.status === 412).length).toBeGreaterThan(0)
    expect(s.store.revision).toBe(start + clients)
    const history = s.store.history({ limit: clients }).map((e) => e.revision)
    expect(history).toEqual(Array.from({ length: clients }, (_, i) => start + clients - i))
    // The store counted the same outcomes: nothing was lost or counted twice.
    const after = s.store.stats()
    expect(after.commits - before.commits).toBe(clients)
    expect(after.rejected - before.rejected).toBe(outcomes.length - clients)
  })

  it('commits every concurrent PATCH without If-Match, one revision each', async () => {
    const start = s.store.revision
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const res = await s.call('PATCH', '', { token: WRITE, body: { features: { [`f${i}`]: true } } })
        return ((await res.json()) as { revision: number }).revision
      }),
    )
    expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => start + 1 + i))
    expect(Object.keys(s.store.current.features)).toHaveLength(20)
  })
})
