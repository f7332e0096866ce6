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

describe('admin API: probation (#20)', () => {
  it('PATCH and PUT take ?probation=, GET /status lists what is on probation, POST /probation/{revision}/… ends it', async () => {
    const before = Date.now()
    expect(
      (await s.call('PATCH', '?probation=5m', { token: WRITE, body: { pool: { max: 20 } } })).status,
    ).toBe(200)
    expect((await s.call('PUT', '/values/pool.min?probation=1h', { token: WRITE, body: 5 })).status).toBe(200)
    const status = (await (await s.call('GET', '/status', { token: READ })).json()) as {
      probation: { revision: number; until: string; source: string; actor: string; paths: string[] }[]
    }
    expect(status.probation).toMatchObject([
      { revision: 2, source: 'http', actor: 'writer', paths: ['pool.max'] },
      { revision: 3, source: 'http', actor: 'writer', paths: ['pool.min'] },
    ])
    expect(Date.parse(status.probation[0]!.until) - before).toBeGreaterThanOrEqual(5 * 60_000)
    const revert = await s.call('POST', '/probation/3/revert', {
      token: WRITE,
      body: { reason: 'p99 doubled' },
    })
    expect(revert.status).toBe(200)
    expect(await revert.json()).toMatchObject({ status: 'committed', changes: [{ path: 'pool.min', to: 2 }] })
    expect(s.store.history({ limit: 1 })[0]).toMatchObject({
      rollbackOf: 3,
      reason: 'p99 doubled',
      actor: 'writer',
    })
    expect((await s.call('POST', '/probation/2/confirm', { token: WRITE })).status).toBe(200)
    expect(s.store.status().probation).toEqual([])
    expect(s.store.current.pool).toEqual({ min: 2, max: 20 })
    const metrics = await (await s.call('GET', '/metrics', { token: READ })).text()
    expect(metrics).toMatch(/^hotconf_probation_reverts_total 1$/m)
    expect(metrics).toMatch(/^hotconf_probation_confirmed_total 1$/m)
    expect(metrics).toMatch(/^hotconf_on_probation 0$/m)
  })

  it('a revision not on probation is 404, a bad revision or duration 400, and a reader may not end one', async () => {
    await expectProblem(await s.call('POST', '/probation/7/confirm', { token: WRITE }), 404, 'NOT_FOUND')
    await expectProblem(await s.call('POST', '/probation/0/revert', { token: WRITE }), 400, 'BAD_REQUEST')
    await expectProblem(
      await s.call('PUT', '/values/pool.max?probation=5', { token: WRITE, body: 11 }),
      400,
      'BAD_REQUEST',
    )
    await s.call('PUT', '/values/pool.max?probation=5m', { token: WRITE, body: 11 })
    expect((await s.call('POST', '/probation/2/revert', { token: READ })).status).toBe(403)
    expect(s.store.status().probation).toHaveLength(1)
  })

  it('POST /probation/check runs the checks now and answers once their revert has committed; a reader may not', async () => {
    let healthy = true
    await s.store.set('pool.max', 20, { probation: { forMs: 60 * 60_000, check: () => healthy } })
    let res = await s.call('POST', '/probation/check', { token: WRITE })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ probation: [{ revision: 2, paths: ['pool.max'] }] })
    healthy = false
    expect((await s.call('POST', '/probation/check', { token: READ })).status).toBe(403)
    expect(s.store.current.pool.max).toBe(20)
    res = await s.call('POST', '/probation/check', { token: WRITE })
    expect(await res.json()).toEqual({ probation: [] })
    expect(s.store.current.pool.max).toBe(10)
    expect(s.store.history({ limit: 1 })[0]).toMatchObject({ source: 'probation', rollbackOf: 2 })
  })
})
