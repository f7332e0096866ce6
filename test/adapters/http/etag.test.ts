import { afterEach, describe, expect, it } from 'vitest'
import { createAdminApp } from '../../../src/adapters/http/index.ts'
import { expectProblem } from './expect-problem.ts'
import { READ, type Served, serveTestStore, TOKENS, WRITE } from './fixture.ts'

const opened: Served[] = []
afterEach(async () => {
  for (const s of opened.splice(0)) await s.store.close()
})

async function serve(): Promise<Served> {
  const served = await serveTestStore()
  opened.push(served)
  return served
}

async function etagOf(s: Served, path = ''): Promise<string> {
  const res = await s.call('GET', path, { token: READ })
  expect(res.status).toBe(200)
  return res.headers.get('etag')!
}

describe('admin API ETags (#15)', () => {
  it('never matches an ETag from before a restart, or from another instance, at the same revision', async () => {
    const before = await serve()
    const old = await etagOf(before)
    await before.store.close()
    // A restart: a new store whose revisions start over at 1; and a second instance beside it.
    const restarted = await serve()
    const other = await serve()
    for (const [s, stale] of [
      [restarted, old],
      [other, old],
      [other, await etagOf(restarted)],
    ] as const) {
      expect(s.store.revision).toBe(1)
      const read = await s.call('GET', '', { token: READ, headers: { 'if-none-match': stale } })
      expect(read.status).toBe(200)
      const headers = { 'if-match': stale }
      const write = await s.call('PATCH', '', { token: WRITE, body: { pool: { max: 40 } }, headers })
      await expectProblem(write, 412, 'STALE_REVISION')
      expect(s.store.revision).toBe(1)
    }
    const own = await etagOf(other)
    expect((await other.call('GET', '', { token: READ, headers: { 'if-none-match': own } })).status).toBe(304)
    const headers = { 'if-match': own }
    expect(
      (await other.call('PATCH', '', { token: WRITE, body: { pool: { max: 40 } }, headers })).status,
    ).toBe(200)
  })

  it('gives one ETag per revision on every route of one store, whatever the app', async () => {
    const s = await serve()
    const tag = await etagOf(s)
    expect(tag).toMatch(/^"[0-9a-f]{16}-1"$/)
    expect(await etagOf(s, '/values/pool.max')).toBe(tag)
    expect(await etagOf(s, '/export')).toBe(tag)
    const second = createAdminApp(s.store, { tokens: TOKENS, metrics: false })
    const res = await second.request('/config', { headers: { authorization: `Bearer ${READ}` } })
    expect(res.headers.get('etag')).toBe(tag)
    const write = await s.call('PATCH', '', {
      token: WRITE,
      body: { pool: { max: 20 } },
      headers: { 'if-match': tag },
    })
    expect(write.headers.get('etag')).toBe(tag.replace(/-1"$/, '-2"'))
    expect(await etagOf(s)).toBe(write.headers.get('etag'))
  })

  it('compares If-Match strongly and If-None-Match weakly, with lists and *', async () => {
    const s = await serve()
    const tag = await etagOf(s)
    for (const stale of ['"1"', `W/${tag}`, tag.replace('-1"', '-01x"'), '"abc"']) {
      const res = await s.call('PATCH', '', {
        token: WRITE,
        body: { pool: { max: 20 } },
        headers: { 'if-match': stale },
      })
      await expectProblem(res, 412, 'STALE_REVISION')
    }
    const listed = await s.call('PATCH', '', {
      token: WRITE,
      body: { pool: { max: 20 } },
      headers: { 'if-match': `"other-7", ${tag.replace('-1"', '-9"')}, ${tag}` },
    })
    expect(listed.status).toBe(200)
    const live = await etagOf(s)
    for (const header of [`W/${live}`, `"x", ${live}`, '*']) {
      expect((await s.call('GET', '', { token: READ, headers: { 'if-none-match': header } })).status).toBe(
        304,
      )
      const value = await s.call('GET', '/values/pool.max', {
        token: READ,
        headers: { 'if-none-match': header },
      })
      expect(value.status).toBe(304)
      expect(value.headers.get('etag')).toBe(live)
    }
    expect((await s.call('GET', '', { token: READ, headers: { 'if-none-match': tag } })).status).toBe(200)
  })
})
