import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { matchToken, timingSafeCompare, tokenMatcher } from '../../../src/adapters/http/auth.ts'
import type { AdminRole } from '../../../src/adapters/http/index.ts'
import { expectProblem } from './expect-problem.ts'
import { ADMIN, READ, type Served, serveTestStore, TOKENS, WRITE } from './fixture.ts'

interface Route {
  readonly method: string
  readonly label: string
  readonly role: AdminRole | 'public'
  /** Builds the path (and body) of one call, e.g. creating the snapshot it deletes. */
  readonly path: (s: Served) => Promise<string> | string
  readonly body?: unknown
}

const snapshotPath = async (served: Served) => `/snapshots/${(await served.store.snapshot()).id}`

const ROUTES: readonly Route[] = [
  { method: 'GET', label: 'GET /', path: () => '', role: 'read' },
  { method: 'GET', label: 'GET /values/pool.max', path: () => '/values/pool.max', role: 'read' },
  { method: 'PATCH', label: 'PATCH /', path: () => '', role: 'write', body: { pool: { max: 11 } } },
  { method: 'PUT', label: 'PUT /values/pool.max', path: () => `/values/pool.max`, role: 'write', body: 12 },
  {
    method: 'POST',
    label: 'POST /validate',
    path: () => '/validate',
    role: 'read',
    body: { pool: { max: 13 } },
  },
  { method: 'GET', label: 'GET /status', path: () => '/status', role: 'read' },
  { method: 'GET', label: 'GET /session', path: () => '/session', role: 'read' },
  { method: 'GET', label: 'GET /explain/pool.max', path: () => '/explain/pool.max', role: 'read' },
  { method: 'GET', label: 'GET /schema', path: () => '/schema', role: 'read' },
  { method: 'GET', label: 'GET /history?limit=5', path: () => '/history?limit=5', role: 'read' },
  { method: 'GET', label: 'GET /events?limit=5', path: () => '/events?limit=5', role: 'read' },
  { method: 'GET', label: 'GET /snapshots', path: () => '/snapshots', role: 'read' },
  { method: 'GET', label: 'GET /snapshots/{id}', path: snapshotPath, role: 'read' },
  { method: 'POST', label: 'POST /snapshots', path: () => '/snapshots', role: 'write' },
  { method: 'DELETE', label: 'DELETE /snapshots/{id}', path: snapshotPath, role: 'write' },
  { method: 'POST', label: 'POST /rollback', path: () => '/rollback', role: 'admin', body: { revision: 1 } },
  { method: 'POST', label: 'POST /reload', path: () => '/reload', role: 'write' },
  { method: 'POST', label: 'POST /reset', path: () => '/reset', role: 'admin' },
  { method: 'GET', label: 'GET /export', path: () => '/export', role: 'read' },
  {
    method: 'GET',
    label: 'GET /export?includeSecrets=true',
    path: () => '/export?includeSecrets=true',
    role: 'admin',
  },
  {
    method: 'POST',
    label: 'POST /import',
    path: () => '/import',
    role: 'admin',
    body: { config: { name: 'imported' } },
  },
  { method: 'GET', label: 'GET /health', path: () => '/health', role: 'public' },
  { method: 'GET', label: 'GET /metrics', path: () => '/metrics', role: 'read' },
  { method: 'GET', label: 'GET /stream', path: () => '/stream', role: 'read' },
]

const CALLERS: readonly {
  readonly label: string
  readonly token: string | null
  readonly role?: AdminRole
}[] = [
  { label: 'no token', token: null },
  { label: 'an unknown token', token: 'not-a-token' },
  { label: 'an unknown token of a real one’s length', token: 'x'.repeat(READ.length) },
  { label: 'read', token: READ, role: 'read' },
  { label: 'write', token: WRITE, role: 'write' },
  { label: 'admin', token: ADMIN, role: 'admin' },
]

const RANK = { read: 1, write: 2, admin: 3 }

let s: Served
beforeAll(async () => {
  s = await serveTestStore()
})
afterAll(async () => {
  await s.store.close()
})

describe('admin API authentication and roles', () => {
  for (const route of ROUTES) {
    it(`guards ${route.label} as ${route.role} when called by every role`, async () => {
      for (const caller of CALLERS) {
        const path = await route.path(s)
        const res = await s.call(route.method, path, {
          token: caller.token,
          ...(route.body === undefined ? {} : { body: route.body }),
        })
        const where = `${caller.label} → ${route.method} ${path}`
        if (route.role === 'public') {
          expect(res.status, where).toBe(200)
        } else if (!caller.role) {
          const problem = await expectProblem(res, 401, 'UNAUTHORIZED')
          expect(res.headers.get('www-authenticate'), where).toMatch(/^Bearer realm="hotconf"/)
          expect(problem.detail).not.toContain(caller.token ?? '\u0000')
        } else if (RANK[caller.role] < RANK[route.role]) {
          await expectProblem(res, 403, 'FORBIDDEN')
        } else {
          expect(res.status, where).toBeGreaterThanOrEqual(200)
          expect(res.status, where).toBeLessThan(300)
        }
        if (!res.bodyUsed) await res.body?.cancel()
      }
    })
  }

  it('says why in WWW-Authenticate: no challenge error without a token, invalid_token with a bad one', async () => {
    const none = await s.call('GET', '', { token: null })
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="hotconf"')
    const bad = await s.call('GET', '', { token: 'wrong' })
    expect(bad.headers.get('www-authenticate')).toBe('Bearer realm="hotconf", error="invalid_token"')
    const basic = await s.call('GET', '', { token: null, headers: { authorization: `Basic ${btoa('a:b')}` } })
    await expectProblem(basic, 401, 'UNAUTHORIZED')
  })

  it('accepts the scheme in any case and records the token name as actor', async () => {
    const res = await s.call('PATCH', '', {
      token: null,
      body: { pool: { max: 77 } },
      headers: { authorization: `bearer ${WRITE}` },
    })
    expect(res.status).toBe(200)
    expect(s.store.history({ limit: 1 })[0]).toMatchObject({ actor: 'writer', source: 'http' })
  })
})

describe('matchToken', () => {
  // The comparison must run once per configured token whatever was presented: no early exit on a match, no
  // shortcut on a length mismatch. Timing itself is not asserted (that would be a flaky timed test); what is
  // asserted is that every presented value goes through the same timing-safe comparison, for every token.
  async function traced(presented: string) {
    const calls: [string, string][] = []
    const found = await matchToken(presented, TOKENS, async (a, b) => {
      calls.push([a, b])
      return timingSafeCompare(a, b)
    })
    return { found, calls }
  }

  it('compares against every token when the presented token has another length', async () => {
    const { found, calls } = await traced('short')
    expect(found).toBeUndefined()
    expect(calls).toEqual(TOKENS.map((t) => ['short', t.token]))
  })

  it('compares against every token when the presented token has the same length as one', async () => {
    const sameLength = `${WRITE.slice(0, -1)}X`
    const { found, calls } = await traced(sameLength)
    expect(found).toBeUndefined()
    expect(calls).toEqual(TOKENS.map((t) => [sameLength, t.token]))
  })

  it('compares against every token, even after the first one matched', async () => {
    const { found, calls } = await traced(READ)
    expect(found?.name).toBe('reader')
    expect(calls).toHaveLength(TOKENS.length)
  })

  it('compares with hono’s timingSafeEqual by default, telling equal from unequal at any length', async () => {
    expect(await matchToken(ADMIN, TOKENS)).toMatchObject({ name: 'boss' })
    expect(await matchToken(`${ADMIN}x`, TOKENS)).toBeUndefined()
    expect(await matchToken(ADMIN.slice(0, -1), TOKENS)).toBeUndefined()
    expect(await matchToken('', TOKENS)).toBeUndefined()
    expect(await timingSafeCompare('same', 'same')).toBe(true)
    expect(await timingSafeCompare('same', 'sane')).toBe(false)
    expect(await timingSafeCompare('same', 'same-but-longer')).toBe(false)
  })
})

describe('tokenMatcher', () => {
  it('finds the same token as matchToken for equal, longer, shorter, empty and unknown tokens', async () => {
    const match = tokenMatcher(TOKENS)
    for (const presented of [
      ADMIN,
      READ,
      WRITE,
      `${ADMIN}x`,
      ADMIN.slice(0, -1),
      '',
      'unknown',
      `${WRITE.slice(0, -1)}X`,
    ]) {
      expect(await match(presented)).toBe(await matchToken(presented, TOKENS))
    }
    expect(await match(WRITE)).toMatchObject({ name: 'writer' })
  })
})
