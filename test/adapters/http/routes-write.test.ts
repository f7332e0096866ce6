import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { expectProblem } from './expect-problem.ts'
import { ADMIN, API_KEY, contractOf, etagOf, type Served, serveTestStore, WRITE } from './fixture.ts'

let s: Served

beforeEach(async () => {
  s = await serveTestStore()
})
afterEach(async () => {
  await s.store.close()
})

describe('admin API writes', () => {
  it('commits a merge patch and answers status, revision, changes and rollbackTo when it is valid', async () => {
    const res = await s.call('PATCH', '', { token: WRITE, body: { pool: { max: 20 } } })
    expect(res.status).toBe(200)
    expect(res.headers.get('etag')).toBe(etagOf(s, 2))
    expect(await res.json()).toEqual({
      status: 'committed',
      revision: 2,
      changes: [{ path: 'pool.max', from: 10, to: 20 }],
      rollbackTo: 1,
    })
    expect(s.store.current.pool.max).toBe(20)
  })

  it('accepts application/merge-patch+json and answers unchanged when nothing differs', async () => {
    const headers = { 'content-type': 'application/merge-patch+json' }
    const res = await s.call('PATCH', '', { token: WRITE, body: { pool: { max: 10 } }, headers })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'unchanged', revision: 1, changes: [] })
  })

  it('deletes with null: a defaulted key falls back to its default, a required key is rejected', async () => {
    await s.store.set('pool.max', 20)
    const back = await s.call('PATCH', '', { token: WRITE, body: { pool: { max: null } } })
    expect(await back.json()).toMatchObject({
      status: 'committed',
      changes: [{ path: 'pool.max', from: 20, to: 10 }],
    })
    const required = await expectProblem(
      await s.call('PATCH', '', { token: WRITE, body: { name: null } }),
      422,
      'INVALID',
    )
    expect(required.errors[0]?.path).toBe('name')
    expect(s.store.current.name).toBe('svc')
  })

  it('answers 422 with every issue when the patch does not validate', async () => {
    const body = { pool: { max: 'many' }, extra: 1 }
    // The problem's code is its first issue's; every issue is listed.
    const problem = await expectProblem(await s.call('PATCH', '', { token: WRITE, body }), 422, 'UNKNOWN_KEY')
    expect(problem.errors.map((e) => `${e.code} ${e.path}`).sort()).toEqual([
      'INVALID pool.max',
      'UNKNOWN_KEY extra',
    ])
    await expectProblem(await s.call('PATCH', '', { token: WRITE, body: [1, 2] }), 422, 'INVALID')
    await expectProblem(
      await s.call('PATCH', '', { token: WRITE, body: { pool: { min: 50, max: 40 } } }),
      422,
      'INVALID',
    )
    expect(s.store.revision).toBe(1)
  })

  it('answers 409 RESTART_REQUIRED when the patch changes a restart key', async () => {
    const res = await s.call('PATCH', '', { token: WRITE, body: { server: { port: 9090 } } })
    const problem = await expectProblem(res, 409, 'RESTART_REQUIRED')
    expect(problem.errors).toEqual([
      { path: 'server.port', code: 'RESTART_REQUIRED', message: expect.any(String) },
    ])
  })

  it('answers 409 when a participant refuses the change and it is rolled back', async () => {
    s.store.participate(
      () => {
        throw new Error('pool resize failed')
      },
      { paths: ['pool'] },
    )
    const problem = await expectProblem(
      await s.call('PATCH', '', { token: WRITE, body: { pool: { max: 20 } } }),
      409,
      'PARTICIPANT_FAILED',
    )
    expect(problem.detail).toMatch(/rolled back/)
    expect(s.store.current.pool.max).toBe(10)
  })

  it('answers 412 when If-Match names a stale revision, and commits when it is current or *', async () => {
    const stale = s.store.revision
    await s.store.set('pool.max', 11)
    await expectProblem(
      await s.call('PATCH', '', {
        token: WRITE,
        body: { pool: { max: 12 } },
        headers: { 'if-match': etagOf(s, stale) },
      }),
      412,
      'STALE_REVISION',
    )
    await expectProblem(
      await s.call('PATCH', '', {
        token: WRITE,
        body: { pool: { max: 12 } },
        headers: { 'if-match': '"two"' },
      }),
      412,
      'STALE_REVISION',
    )
    const current = await s.call('PATCH', '', {
      token: WRITE,
      body: { pool: { max: 12 } },
      headers: { 'if-match': etagOf(s, 2) },
    })
    expect(current.status).toBe(200)
    const any = await s.call('PATCH', '', {
      token: WRITE,
      body: { pool: { max: 13 } },
      headers: { 'if-match': '*' },
    })
    expect(any.status).toBe(200)
    expect(s.store.revision).toBe(4)
  })

  it('answers 400 when the body is empty, not JSON, or holds prototype keys, without echoing it', async () => {
    await expectProblem(
      await s.call('PATCH', '', { token: WRITE, raw: '', headers: { 'content-type': 'application/json' } }),
      400,
      'BAD_REQUEST',
    )
    const broken = `{"apiKey": "${API_KEY}"`
    const parse = await s.call('PATCH', '', {
      token: WRITE,
      raw: broken,
      headers: { 'content-type': 'application/json' },
    })
    const problem = await expectProblem(parse, 400, 'PARSE_ERROR')
    expect(JSON.stringify(problem)).not.toContain(API_KEY)
    const proto = await s.call('PATCH', '', {
      token: WRITE,
      raw: '{"__proto__": {"polluted": true}}',
      headers: { 'content-type': 'application/json' },
    })
    await expectProblem(proto, 400, 'FORBIDDEN_KEY')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    const deep = `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`
    await expectProblem(
      await s.call('PATCH', '', { token: WRITE, raw: deep, headers: { 'content-type': 'application/json' } }),
      400,
      'INVALID',
    )
  })

  it('answers 415 when the body is not JSON by content type', async () => {
    const res = await s.call('PATCH', '', {
      token: WRITE,
      raw: '{"pool":{"max":20}}',
      headers: { 'content-type': 'text/plain' },
    })
    await expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE')
    expect(s.store.revision).toBe(1)
  })

  it('answers 413 when the body is over the limit, with or without Content-Length', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(300 * 1024) })
    await expectProblem(
      await s.call('PATCH', '', { token: WRITE, raw: big, headers: { 'content-type': 'application/json' } }),
      413,
      'PAYLOAD_TOO_LARGE',
    )
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        const chunk = new TextEncoder().encode('x'.repeat(64 * 1024))
        controller.enqueue(new TextEncoder().encode('{"name":"'))
        for (let i = 0; i < 5; i++) controller.enqueue(chunk)
        controller.enqueue(new TextEncoder().encode('"}'))
        controller.close()
      },
    })
    const streamed = await fetch(s.url, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${WRITE}`, 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit)
    const sent = { authorization: `Bearer ${WRITE}`, 'content-type': 'application/json' }
    await contractOf(s.url).check({ method: 'PATCH', url: s.url, headers: sent }, streamed)
    await expectProblem(streamed, 413, 'PAYLOAD_TOO_LARGE')
    expect(s.store.current.name).toBe('svc')
  })

  it('sets one value with PUT /values/{path} when the body is its JSON value', async () => {
    const res = await s.call('PUT', '/values/pool.max', {
      token: WRITE,
      body: 30,
      headers: { 'x-reason': 'more' },
    })
    expect(await res.json()).toEqual({
      status: 'committed',
      revision: 2,
      changes: [{ path: 'pool.max', from: 10, to: 30 }],
      rollbackTo: 1,
    })
    expect(s.store.history({ limit: 1 })[0]).toMatchObject({ actor: 'writer', reason: 'more' })
    const obj = await s.call('PUT', '/values/features', { token: WRITE, body: { beta: true } })
    expect(obj.status).toBe(200)
    expect(s.store.current.features).toEqual({ beta: true })
  })

  it('answers PUT with 404 for a key the schema lacks, 422 for a bad value, 400 for a bad path', async () => {
    await expectProblem(await s.call('PUT', '/values/nope', { token: WRITE, body: 1 }), 404, 'NOT_FOUND')
    await expectProblem(
      await s.call('PUT', '/values/pool.nope.deeper', { token: WRITE, body: 1 }),
      404,
      'NOT_FOUND',
    )
    await expectProblem(await s.call('PUT', '/values/pool.max', { token: WRITE, body: 'x' }), 422, 'INVALID')
    await expectProblem(await s.call('PUT', '/values/pool.max', { token: WRITE, body: null }), 422, 'INVALID')
    await expectProblem(await s.call('PUT', '/values/pool..max', { token: WRITE, body: 1 }), 400, 'INVALID')
    await expectProblem(
      await s.call('PUT', '/values/server.port', { token: WRITE, body: 1 }),
      409,
      'RESTART_REQUIRED',
    )
    expect(s.store.revision).toBe(1)
  })

  it('dry-runs with POST /validate: 200 with the changes or the problem the write would get, nothing changes', async () => {
    const ok = await s.call('POST', '/validate', { body: { pool: { max: 20 }, apiKey: 'sk-other-123456' } })
    expect(ok.status).toBe(200)
    const dry: any = await ok.json()
    expect(dry.ok).toBe(true)
    expect(dry.changes).toHaveLength(2)
    expect(dry.changes).toEqual(
      expect.arrayContaining([
        { path: 'pool.max', from: 10, to: 20 },
        { path: 'apiKey', from: '[redacted]', to: '[redacted]' },
      ]),
    )
    await expectProblem(await s.call('POST', '/validate', { body: { pool: { max: 0 } } }), 422, 'INVALID')
    await expectProblem(
      await s.call('POST', '/validate', { body: { server: { port: 1 } } }),
      409,
      'RESTART_REQUIRED',
    )
    expect(s.store.revision).toBe(1)
    expect(s.store.history()).toHaveLength(0)
  })

  it('answers 400 when a body is not valid UTF-8, on every route that reads one, and commits nothing (#15)', async () => {
    const bytes = (text: string, bad: number[]) => {
      const [head, tail] = text.split('#') as [string, string]
      const enc = new TextEncoder()
      return new Uint8Array([...enc.encode(head), ...bad, ...enc.encode(tail)])
    }
    // A lone continuation byte, a truncated sequence, an overlong "/", a UTF-16 surrogate encoded in UTF-8.
    for (const bad of [[0x80], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      for (const [method, path, text] of [
        ['PATCH', '', '{"name":"#"}'],
        ['PUT', '/values/name', '"#"'],
        ['POST', '/validate', '{"name":"#"}'],
        ['POST', '/import', '{"config":{"name":"#"}}'],
        ['POST', '/snapshots', '{"label":"#"}'],
        ['POST', '/reload', '{"reason":"#"}'],
      ] as const) {
        const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }
        const res = await fetch(`${s.url}${path}`, { method, headers, body: bytes(text, bad) })
        // The body is not UTF-8: the document's schema cannot accept it, so a 4xx is what the contract wants.
        await contractOf(s.url).check({ method, url: `${s.url}${path}`, headers, body: '\u0000' }, res)
        await expectProblem(res, 400, 'PARSE_ERROR')
      }
    }
    expect(s.store.revision).toBe(1)
    expect(s.store.snapshots()).toEqual([])
    expect(s.store.current.name).toBe('svc')
  })
})
