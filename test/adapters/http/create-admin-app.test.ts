import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { createAdminApp } from '../../../src/adapters/http/index.ts'
import { ConfigError } from '../../../src/index.ts'
import type { ConfigStore } from '../../../src/types.ts'
import { expectProblem } from './expect-problem.ts'
import {
  ADMIN,
  API_KEY,
  checkedRequest,
  createTestStore,
  memoryLogger,
  READ,
  type TestConfig,
  TOKENS,
} from './fixture.ts'

const auth = (token: string) => ({ authorization: `Bearer ${token}` })
const json = { 'content-type': 'application/json' }
let store: ConfigStore<TestConfig> | undefined

afterEach(async () => {
  await store?.close()
  store = undefined
})

async function open(environment = 'test') {
  store = await createTestStore({ environment })
  return store
}

function badOptions(fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).code).toBe('BAD_OPTIONS')
    return error as ConfigError
  }
  throw new Error('expected a BAD_OPTIONS ConfigError')
}

describe('createAdminApp', () => {
  it('answers through app.request() without a server', async () => {
    const request = checkedRequest(createAdminApp(await open(), { tokens: TOKENS }))
    const res = await request('/config/values/pool.max', { headers: auth(READ) })
    expect(res.status).toBe(200)
    expect(await res.json()).toBe(10)
  })

  it('mounts under another Hono app and keeps its problem responses', async () => {
    const parent = new Hono()
    parent.route('/admin', createAdminApp(await open(), { tokens: TOKENS, base: '/cfg/' }))
    expect((await parent.request('/admin/cfg', { headers: auth(READ) })).status).toBe(200)
    await expectProblem(
      await parent.request('/admin/cfg/values/a..b', { headers: auth(READ) }),
      400,
      'INVALID',
    )
  })

  it('serves at the root when base is "/"', async () => {
    const request = checkedRequest(createAdminApp(await open(), { tokens: TOKENS, base: '/' }), { base: '/' })
    expect((await request('/status', { headers: auth(READ) })).status).toBe(200)
  })

  it('generates an admin token and logs how to use it when no tokens are given (#16)', async () => {
    const s = await open('development')
    const logger = memoryLogger()
    const app = createAdminApp(s, { logger })
    const token = app.generatedToken!
    const request = checkedRequest(app, { token })
    const patch = { method: 'PATCH', body: '{"pool":{"max":20}}' }
    await expectProblem(await request('/config', { ...patch, headers: json }), 401, 'UNAUTHORIZED')
    expect(token).toMatch(/^[0-9a-f]{48}$/)
    const res = await request('/config', { ...patch, headers: { ...json, ...auth(token) } })
    expect(res.status).toBe(200)
    expect(s.history({ limit: 1 })[0]?.actor).toBe('admin')
    expect(logger.lines).toEqual([
      { level: 'info', msg: expect.stringContaining(`Authorization: Bearer ${token}`) },
    ])
    expect(createAdminApp(s, { logger }).generatedToken).not.toBe(token)
    expect(createAdminApp(s, { tokens: TOKENS }).generatedToken).toBeUndefined()
  })

  it("lets every caller in as anonymous admin with auth: 'none', and warns (#16)", async () => {
    const s = await open('development')
    const logger = memoryLogger()
    const app = createAdminApp(s, { auth: 'none', logger })
    expect(app.generatedToken).toBeUndefined()
    const request = checkedRequest(app, { token: null })
    const res = await request('/config', { method: 'PATCH', headers: json, body: '{"pool":{"max":20}}' })
    expect(res.status).toBe(200)
    expect(s.history({ limit: 1 })[0]?.actor).toBe('anonymous')
    expect(logger.lines).toEqual([{ level: 'warn', msg: expect.stringMatching(/no authentication/) }])
  })

  it("throws BAD_OPTIONS in production without tokens or with auth: 'none'", async () => {
    const s = await open('production')
    expect(badOptions(() => createAdminApp(s)).message).toMatch(/tokens in production/)
    expect(badOptions(() => createAdminApp(s, { auth: 'none' })).message).toMatch(/production/)
    expect(() => createAdminApp(s, { tokens: TOKENS })).not.toThrow()
  })

  it('throws BAD_OPTIONS for tokens shorter than 16 characters, and for auth none with tokens (#16)', async () => {
    const s = await open()
    const token = { name: 'a', token: 'x'.repeat(15), role: 'read' } as const
    expect(badOptions(() => createAdminApp(s, { tokens: [token] })).message).toMatch(/16/)
    expect(() => createAdminApp(s, { tokens: [{ ...token, token: 'x'.repeat(16) }] })).not.toThrow()
    badOptions(() => createAdminApp(s, { auth: 'none', tokens: TOKENS }))
    badOptions(() => createAdminApp(s, { auth: 'open' as never }))
  })

  it('throws BAD_OPTIONS for unusable tokens and options', async () => {
    const s = await open()
    const token = { name: 'a', token: 'abcdefgh-0123456789', role: 'read' } as const
    badOptions(() => createAdminApp(s, { tokens: [{ ...token, token: '' }] }))
    badOptions(() => createAdminApp(s, { tokens: [{ ...token, token: 'has space' }] }))
    badOptions(() => createAdminApp(s, { tokens: [{ ...token, name: '' }] }))
    badOptions(() => createAdminApp(s, { tokens: [{ ...token, role: 'root' as never }] }))
    badOptions(() => createAdminApp(s, { tokens: [token, { ...token, name: 'b' }] }))
    badOptions(() => createAdminApp(s, { base: 'config' }))
    badOptions(() => createAdminApp(s, { bodyLimit: 0 }))
    badOptions(() => createAdminApp(s, { heartbeatMs: -1 }))
    badOptions(() => createAdminApp(s, { maxStreams: 0 }))
    badOptions(() => createAdminApp(s, { streamBacklogBytes: 1.5 }))
    badOptions(() => createAdminApp(s, { metricsPrefix: 'bad-prefix' }))
  })

  it('answers 413 above a custom body limit', async () => {
    const request = checkedRequest(createAdminApp(await open(), { tokens: TOKENS, bodyLimit: 64 }))
    const body = JSON.stringify({ name: 'x'.repeat(100) })
    await expectProblem(
      await request('/config', { method: 'PATCH', headers: { ...auth(ADMIN), ...json }, body }),
      413,
      'PAYLOAD_TOO_LARGE',
    )
  })

  it('answers /metrics with 404 when metrics are off and uses a custom prefix when on', async () => {
    const s = await open()
    const off = checkedRequest(createAdminApp(s, { tokens: TOKENS, metrics: false }))
    await expectProblem(await off('/config/metrics', { headers: auth(READ) }), 404, 'NOT_FOUND')
    const on = checkedRequest(createAdminApp(s, { tokens: TOKENS, metricsPrefix: 'svc_config_' }))
    expect(await (await on('/config/metrics', { headers: auth(READ) })).text()).toMatch(
      /^svc_config_config_revision 1$/m,
    )
  })

  it('answers 503 when the store is closed, and /health says so', async () => {
    const s = await open()
    const request = checkedRequest(createAdminApp(s, { tokens: TOKENS }))
    await s.close()
    const res = await request('/config', {
      method: 'PATCH',
      headers: { ...auth(ADMIN), ...json },
      body: '{"pool":{"max":20}}',
    })
    await expectProblem(res, 503, 'CLOSED')
    const health = await request('/config/health')
    expect(health.status).toBe(503)
    expect(await health.json()).toEqual({ status: 'closed' })
  })

  it('answers 500 without message or stack when the store throws, and logs why', async () => {
    const s = await open()
    // The real store cannot be made to throw here; a proxy makes one read fail with a message holding a secret.
    const failing = new Proxy(s, {
      get(target, key) {
        if (key === 'status') {
          return () => {
            throw new Error(`disk on fire near ${API_KEY}`)
          }
        }
        // Private fields need the real store as `this`, not the proxy.
        const value = Reflect.get(target, key, target)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const logger = memoryLogger()
    const request = checkedRequest(createAdminApp(failing, { tokens: TOKENS, logger }))
    const res = await request('/config/status', { headers: auth(READ) })
    const problem = await expectProblem(res, 500, 'INTERNAL')
    expect(JSON.stringify(problem)).not.toMatch(/fire|at .*\.ts|sk-live/)
    expect(logger.lines.map((l) => l.msg).join('\n')).toContain('disk on fire')
  })

  it('ends an in-process event stream whose body is never read once it passes streamBacklogBytes (#15)', async () => {
    const s = await open()
    const app = createAdminApp(s, { tokens: TOKENS, streamBacklogBytes: 4096, metrics: false })
    const before = s.status().observers
    const res = await app.request('/config/stream', { headers: auth(READ) })
    expect(res.status).toBe(200)
    expect(s.status().observers).toBe(before + 1)
    for (let i = 0; i < 20 && s.status().observers > before; i++)
      await s.set('name', `n${i}-${'x'.repeat(500)}`)
    expect(s.status().observers).toBe(before)
    await expect(res.text()).rejects.toThrow()
  })
})
