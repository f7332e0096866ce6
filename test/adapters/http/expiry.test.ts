import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { expectProblem } from './expect-problem.ts'
import { READ, type Served, serveTestStore, WRITE } from './fixture.ts'

let s: Served

beforeEach(async () => {
  s = await serveTestStore()
})
afterEach(async () => {
  await s.store.close()
})

describe('admin API: expiring writes (#20)', () => {
  it('PATCH and PUT take ?ttl= and GET /status lists the pending expiries', async () => {
    const before = Date.now()
    const patch = await s.call('PATCH', '?ttl=15m', { token: WRITE, body: { pool: { max: 20 } } })
    expect(patch.status).toBe(200)
    const put = await s.call('PUT', '/values/db.host?ttl=2h', { token: WRITE, body: 'db.internal' })
    expect(put.status).toBe(200)
    const status = (await (await s.call('GET', '/status', { token: READ })).json()) as {
      expiring: { path: string; at: string; revision: number; actor: string }[]
    }
    expect(status.expiring).toMatchObject([
      { path: 'pool.max', revision: 2, actor: 'writer' },
      { path: 'db.host', revision: 3, actor: 'writer' },
    ])
    const [pool, db] = status.expiring.map((e) => Date.parse(e.at) - before)
    expect(pool).toBeGreaterThanOrEqual(15 * 60_000)
    expect(pool).toBeLessThan(15 * 60_000 + 60_000)
    expect(db).toBeGreaterThanOrEqual(2 * 3_600_000)
  })

  it('a ttl of 1s, 500ms and 90s is accepted; a ttl without a unit or of zero is 400', async () => {
    for (const ttl of ['1s', '500ms', '90s']) {
      const res = await s.call('PUT', `/values/pool.max?ttl=${ttl}`, { token: WRITE, body: 11 })
      expect(res.status).toBe(200)
    }
    for (const ttl of ['15', '0m', '-1s', '1.5h', '15min', '']) {
      await expectProblem(
        await s.call('PUT', `/values/pool.max?ttl=${ttl}`, { token: WRITE, body: 12 }),
        400,
        'BAD_REQUEST',
      )
    }
    expect(s.store.current.pool.max).toBe(11)
  })

  it('the override expires for real: a 300ms ttl is reset by the store', async () => {
    await s.call('PUT', '/values/pool.max?ttl=300ms', { token: WRITE, body: 42 })
    expect(s.store.current.pool.max).toBe(42)
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(s.store.current.pool.max).toBe(10)
    expect(s.store.history({ limit: 1 })[0]).toMatchObject({ source: 'expiry' })
  })
})
