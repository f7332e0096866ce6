import { gzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAdminApp } from '../../../src/adapters/http/index.ts'
import { buildUi } from '../../../src/adapters/http/ui-build.ts'
import { expectProblem } from './expect-problem.ts'
import {
  ADMIN,
  API_KEY,
  createTestStore,
  READ,
  type Served,
  serveTestStore,
  TOKENS,
  WRITE,
} from './fixture.ts'

let s: Served

beforeEach(async () => {
  s = await serveTestStore()
})
afterEach(async () => {
  await s.store.close()
})

describe('the console routes (#18)', () => {
  it('answers GET /session with the name and role of the token, and 401 for an unknown one', async () => {
    for (const [token, name, role] of [
      [READ, 'reader', 'read'],
      [WRITE, 'writer', 'write'],
      [ADMIN, 'boss', 'admin'],
    ] as const) {
      const res = await s.call('GET', '/session', { token })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ name, role })
    }
    await expectProblem(
      await s.call('GET', '/session', { token: 'no-such-token-0123456789' }),
      401,
      'UNAUTHORIZED',
    )
  })

  it('answers GET /explain/{path} with the layer and what it shadows, secrets redacted in both', async () => {
    await s.store.set('pool.max', 20)
    const max = await s.call('GET', '/explain/pool.max', { token: READ })
    expect(max.status).toBe(200)
    expect(await max.json()).toMatchObject({
      path: 'pool.max',
      value: 20,
      shadowed: [{ layer: 'default', value: 10 }],
    })

    const other = 'sk-other-secret-42'
    await s.store.set('apiKey', other)
    const key = await s.call('GET', '/explain/apiKey', { token: READ })
    const text = await key.text()
    expect(JSON.parse(text)).toMatchObject({ value: '[redacted]', shadowed: [{ value: '[redacted]' }] })
    expect(text).not.toContain(other)
    expect(text).not.toContain(API_KEY)
  })

  it('answers 404 for a path the schema has not and 400 for a malformed one', async () => {
    await expectProblem(await s.call('GET', '/explain/pool.nope', { token: READ }), 404, 'NOT_FOUND')
    await expectProblem(await s.call('GET', '/explain/a..b', { token: READ }), 400, 'INVALID')
    await expectProblem(await s.call('GET', '/explain/pool.max', { token: null }), 401, 'UNAUTHORIZED')
  })
})

describe('the console page (#18)', () => {
  it('redirects <base>/ui to <base>/ui/, relative to where the app is mounted', async () => {
    const res = await fetch(`${s.url}/ui`, { redirect: 'manual' })
    expect(res.status).toBe(308)
    expect(res.headers.get('location')).toBe('ui/')
  })

  it('serves the page without a token under a strict CSP, with no inline script or style', async () => {
    const res = await fetch(`${s.url}/ui/`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'self';/)
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('cache-control')).toBe('no-cache')
    const html = await res.text()
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/)
    expect(html).not.toMatch(/<style|\sstyle=|\son\w+=/)
    expect(html).not.toMatch(/https?:\/\//) // nothing from a CDN: it works offline

    const etag = res.headers.get('etag') ?? ''
    expect((await fetch(`${s.url}/ui/`, { headers: { 'if-none-match': etag } })).status).toBe(304)
  })

  it('serves the content-hashed script and stylesheet the page names, cacheable for good', async () => {
    const html = await (await fetch(`${s.url}/ui/`)).text()
    const assets = [...html.matchAll(/(?:src|href)="(app\.[0-9a-f]{12}\.(?:js|css))"/g)].map(
      (m) => m[1] ?? '',
    )
    expect(assets).toHaveLength(2)
    for (const name of assets) {
      const res = await fetch(`${s.url}/ui/${name}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(
        name.endsWith('.js') ? /^text\/javascript/ : /^text\/css/,
      )
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    }
    await expectProblem(await fetch(`${s.url}/ui/nope.js`), 404, 'NOT_FOUND')
  })

  it('keeps the page within its budget: script and stylesheet at most 60 KB gzipped', async () => {
    const files = await buildUi()
    const gzipped = Object.entries(files)
      .filter(([name]) => name !== 'index.html')
      .reduce((n, [, text]) => n + gzipSync(text).byteLength, 0)
    expect(gzipped).toBeLessThanOrEqual(60 * 1024)
  })

  it('serves no page with ui: false', async () => {
    const store = await createTestStore()
    const app = createAdminApp(store, { tokens: TOKENS, ui: false })
    await expectProblem(await app.request('/config/ui/'), 404, 'NOT_FOUND')
    expect(
      (await app.request('/config/session', { headers: { authorization: `Bearer ${READ}` } })).status,
    ).toBe(200)
    await store.close()
  })
})
