import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { expectProblem } from './expect-problem.ts'
import { ADMIN, etagOf, READ, type Served, serveTestStore, WRITE } from './fixture.ts'

let s: Served

beforeEach(async () => {
  s = await serveTestStore()
})
afterEach(async () => {
  await s.store.close()
})

describe('admin API reads', () => {
  it('answers GET / with the redacted config and its revision as ETag when asked', async () => {
    const res = await s.call('GET', '', { token: READ })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(res.headers.get('etag')).toBe(etagOf(s, 1))
    const body = await res.json()
    expect(body).toMatchObject({
      name: 'svc',
      pool: { min: 2, max: 10 },
      apiKey: '[redacted]',
      db: { password: '[redacted]' },
    })
  })

  it('answers 304 when If-None-Match names the live revision', async () => {
    const res = await s.call('GET', '', { token: READ, headers: { 'if-none-match': etagOf(s, 1) } })
    expect(res.status).toBe(304)
    await s.store.set('pool.max', 11)
    expect(
      (await s.call('GET', '', { token: READ, headers: { 'if-none-match': etagOf(s, 1) } })).status,
    ).toBe(200)
  })

  it('answers GET /values/{path} with the value, redacted below secrets, when the path exists', async () => {
    const max = await s.call('GET', '/values/pool.max', { token: READ })
    expect(max.status).toBe(200)
    expect(max.headers.get('etag')).toBe(etagOf(s, 1))
    expect(await max.json()).toBe(10)
    expect(await (await s.call('GET', '/values/db', { token: READ })).json()).toEqual({
      host: 'localhost',
      password: '[redacted]',
    })
    expect(await (await s.call('GET', '/values/apiKey', { token: READ })).json()).toBe('[redacted]')
    expect(await (await s.call('GET', '/values/tags', { token: READ })).json()).toEqual([])
  })

  it('answers 404 when the path is not in the config', async () => {
    await expectProblem(await s.call('GET', '/values/nope', { token: READ }), 404, 'NOT_FOUND')
    await expectProblem(await s.call('GET', '/values/pool.max.deeper', { token: READ }), 404, 'NOT_FOUND')
    await expectProblem(await s.call('GET', '/values/features.missing', { token: READ }), 404, 'NOT_FOUND')
  })

  it('answers 400 when the path is malformed or names a prototype key', async () => {
    for (const bad of ['a..b', '.a', 'a.', 'a%20b', 'a%2Fb', 'x%00y']) {
      await expectProblem(await s.call('GET', `/values/${bad}`, { token: READ }), 400, 'INVALID')
    }
    for (const bad of ['__proto__', 'pool.constructor', 'prototype']) {
      await expectProblem(await s.call('GET', `/values/${bad}`, { token: READ }), 400, 'FORBIDDEN_KEY')
    }
  })

  it('answers GET /status with the revision and environment', async () => {
    await s.store.set('pool.max', 12)
    const res = await s.call('GET', '/status', { token: READ })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      revision: 2,
      environment: 'test',
      closed: false,
      pendingRestart: [],
    })
  })

  it('answers GET /schema with JSON Schema whose secret defaults are redacted', async () => {
    const res = await s.call('GET', '/schema', { token: READ })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/schema+json')
    const schema: any = await res.json()
    expect(schema.properties.pool.properties.max).toMatchObject({
      type: 'integer',
      default: 10,
      maximum: 1000,
    })
    expect(schema.properties.apiKey).toMatchObject({ default: '[redacted]', writeOnly: true })
    expect(schema.properties.server.properties.port['x-hotconf-restart']).toBe(true)
    expect(schema.properties.db.properties.password.default).toBe('[redacted]')
    const input: any = await (await s.call('GET', '/schema?io=input', { token: READ })).json()
    expect(input.properties.apiKey.default).toBe('[redacted]')
    expect(input.required).toContain('name')
    expect(input.required).not.toContain('apiKey')
    await expectProblem(await s.call('GET', '/schema?io=both', { token: READ }), 400, 'BAD_REQUEST')
  })

  it('answers GET /history newest first, limited, with actor and reason when writes carried them', async () => {
    await s.call('PATCH', '', {
      token: WRITE,
      body: { pool: { max: 20 } },
      headers: { 'x-reason': 'traffic spike' },
    })
    await s.call('PATCH', '', { token: ADMIN, body: { pool: { max: 30 } } })
    const all: any = await (await s.call('GET', '/history', { token: READ })).json()
    expect(all.map((e: { revision: number }) => e.revision)).toEqual([3, 2])
    expect(all[1]).toMatchObject({ actor: 'writer', reason: 'traffic spike', source: 'http' })
    expect(all[0]).toMatchObject({ actor: 'boss', changes: [{ path: 'pool.max', from: 20, to: 30 }] })
    const one = await (await s.call('GET', '/history?limit=1', { token: READ })).json()
    expect(one).toHaveLength(1)
    for (const bad of ['0', '-1', 'abc', '1.5']) {
      await expectProblem(await s.call('GET', `/history?limit=${bad}`, { token: READ }), 400, 'BAD_REQUEST')
    }
  })

  it('answers GET /events with every outcome, rejected ones included', async () => {
    await s.call('PATCH', '', { token: WRITE, body: { pool: { max: 'many' } } })
    await s.call('PATCH', '', { token: WRITE, body: { pool: { max: 20 } } })
    const events: any = await (await s.call('GET', '/events?limit=2', { token: READ })).json()
    expect(events.map((e: { status: string }) => e.status)).toEqual(['committed', 'rejected'])
    expect(events[1].errors[0]).toEqual({ path: 'pool.max', code: 'INVALID', message: expect.any(String) })
    await expectProblem(await s.call('GET', '/events?limit=x', { token: READ }), 400, 'BAD_REQUEST')
  })

  it('answers GET /health without a token, 200 while the store is open', async () => {
    const res = await s.call('GET', '/health', { token: null })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('answers GET /metrics with Prometheus text of the store counters', async () => {
    await s.call('PATCH', '', { token: WRITE, body: { pool: { max: 20 } } })
    await s.call('PATCH', '', { token: WRITE, body: { pool: { max: 'x' } } })
    await s.call('POST', '/snapshots', { token: WRITE })
    const res = await s.call('GET', '/metrics', { token: READ })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    const text = await res.text()
    expect(text).toMatch(/^hotconf_commits_total 1$/m)
    expect(text).toMatch(/^hotconf_rejected_total 1$/m)
    expect(text).toMatch(/^hotconf_rolled_back_total 0$/m)
    expect(text).toMatch(/^hotconf_reloads_total 0$/m)
    expect(text).toMatch(/^hotconf_config_revision 2$/m)
    expect(text).toMatch(/^hotconf_snapshots 1$/m)
    expect(text).toMatch(/^hotconf_update_duration_seconds_count\{status="committed"\} 1$/m)
    expect(text).toMatch(/^hotconf_update_duration_seconds_count\{status="rejected"\} 1$/m)
  })

  it('answers 404 problems for unknown routes', async () => {
    await expectProblem(await s.call('GET', '/nope', { token: READ }), 404, 'NOT_FOUND')
    await expectProblem(await s.call('DELETE', '', { token: ADMIN }), 404, 'NOT_FOUND')
  })

  it('answers HEAD on every GET route like GET, without a body, and holds nothing after it (#15)', async () => {
    const before = s.store.status().observers
    const snap = await s.store.snapshot({ label: 'x' })
    for (const path of [
      '',
      '/values/pool.max',
      '/status',
      '/schema',
      '/history',
      '/events',
      '/snapshots',
      `/snapshots/${snap.id}`,
      '/export',
      '/health',
      '/metrics',
      '/stream',
    ]) {
      const res = await s.call('HEAD', path, { token: READ })
      expect([path, res.status]).toEqual([path, 200])
      expect(await res.text()).toBe('')
    }
    expect(s.store.status().observers).toBe(before)
  })
})
