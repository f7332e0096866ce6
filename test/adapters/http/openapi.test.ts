import { Validator } from '@seriousme/openapi-schema-validator'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { adminOpenApi, createAdminApp } from '../../../src/adapters/http/index.ts'
import { createConfigStore, secret } from '../../../src/index.ts'
import type { ConfigStore } from '../../../src/types.ts'
import { createContract } from './contract.ts'
import { createTestStore, READ, type Served, serveTestStore, type TestConfig, TOKENS } from './fixture.ts'

type Doc = Record<string, any>

/** The document, loosely typed for reading it in assertions. */
const docOf = (...args: Parameters<typeof adminOpenApi>): Doc => adminOpenApi(...args)

let store: ConfigStore<TestConfig> | undefined
let served: Served | undefined
afterEach(async () => {
  await store?.close()
  await served?.store.close()
  store = undefined
  served = undefined
})

async function open() {
  store = await createTestStore()
  return store
}

async function expectValidOpenApi(doc: Doc): Promise<void> {
  const result = await new Validator().validate(structuredClone(doc))
  expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([])
  expect(result.valid).toBe(true)
}

/** `METHOD path` of every operation the document lists, HEAD aside, in Hono's `:param` form. */
function documented(doc: Doc): string[] {
  return Object.entries(doc.paths as Record<string, Doc>)
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => m !== 'head')
        .map((m) => `${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`),
    )
    .sort()
}

/** `METHOD path` of every route the app mounts, the body-limit middleware (`*`) aside. */
function mounted(app: { routes: readonly { method: string; path: string }[] }): string[] {
  return app.routes
    .filter((r) => !r.path.endsWith('*'))
    .map((r) => `${r.method} ${r.path}`)
    .sort()
}

describe('adminOpenApi', () => {
  it('is a valid OpenAPI 3.1 document with every option that changes it', async () => {
    const s = await open()
    for (const options of [
      {},
      { auth: 'none' as const },
      { metrics: false },
      { ui: false },
      { base: '/' },
      { base: '/ops/cfg/' },
    ]) {
      await expectValidOpenApi(docOf(s, options))
    }
  })

  it('throws BAD_OPTIONS for a base or auth that createAdminApp would refuse', async () => {
    const s = await open()
    expect(() => adminOpenApi(s, { base: 'config' })).toThrow(
      expect.objectContaining({ code: 'BAD_OPTIONS' }),
    )
    expect(() => adminOpenApi(s, { auth: 'open' as never })).toThrow(
      expect.objectContaining({ code: 'BAD_OPTIONS' }),
    )
  })

  it('documents exactly the routes the app mounts, with HEAD beside every GET', async () => {
    const s = await open()
    for (const options of [{}, { metrics: false }, { ui: false }, { base: '/' }]) {
      const app = createAdminApp(s, { tokens: TOKENS, ...options })
      const doc = docOf(s, options)
      expect(mounted(app)).toEqual(documented(doc))
      for (const item of Object.values(doc.paths as Record<string, Doc>)) {
        if (item.get) expect(item.head.responses).toEqual(item.get.responses)
      }
    }
    expect(documented(docOf(s))).toContain('GET /config/metrics')
    expect(documented(docOf(s, { metrics: false }))).not.toContain('GET /config/metrics')
    // The console's page and files (#18) are public operations, left out with the console.
    expect(documented(docOf(s))).toEqual(expect.arrayContaining(['GET /config/ui/', 'GET /config/session']))
    expect(documented(docOf(s, { ui: false })).filter((r) => r.includes('/ui'))).toEqual([])
  })

  it('serves the same document at GET <base>/openapi.json to the read role', async () => {
    served = await serveTestStore()
    const res = await served.call('GET', '/openapi.json', { token: READ })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual(docOf(served.store))
  })

  it('names the role of every operation and the bearer scheme, and drops both problems without auth', async () => {
    const s = await open()
    const doc = docOf(s)
    expect(doc.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    })
    expect(doc.paths['/config'].patch).toMatchObject({
      'x-hotconf-role': 'write',
      security: [{ bearerAuth: [] }],
    })
    expect(doc.paths['/config/rollback'].post['x-hotconf-role']).toBe('admin')
    expect(doc.paths['/config/health'].get).toMatchObject({ 'x-hotconf-role': 'public', security: [] })
    expect(Object.keys(doc.paths['/config/health'].get.responses)).not.toContain('401')
    expect(doc.paths['/config/status'].get.responses['401'].headers['WWW-Authenticate'].required).toBe(true)
    expect(Object.keys(doc.paths['/config'].patch.responses)).toEqual(
      expect.arrayContaining([
        '200',
        '400',
        '401',
        '403',
        '404',
        '409',
        '412',
        '413',
        '415',
        '422',
        '500',
        '503',
      ]),
    )
    const open_ = docOf(s, { auth: 'none' })
    expect(open_.components.securitySchemes).toBeUndefined()
    expect(open_.paths['/config'].patch.security).toEqual([])
    expect(Object.keys(open_.paths['/config'].patch.responses)).not.toContain('401')
    expect(Object.keys(open_.paths['/config/export'].get.responses)).not.toContain('403')
  })

  it('describes the config from the store schema: secrets redacted in responses, writeOnly as input, restart keys marked', async () => {
    const s = await open()
    const { schemas } = docOf(s).components
    expect(schemas.Config.properties.apiKey).toMatchObject({ const: '[redacted]', 'x-hotconf-secret': true })
    expect(schemas.ConfigInput.properties.apiKey).toMatchObject({ type: 'string', writeOnly: true })
    expect(schemas.ConfigInput.properties.apiKey.default).toBe('[redacted]')
    expect(schemas.Config.properties.server.properties.port['x-hotconf-restart']).toBe(true)
    expect(schemas.Config.$schema).toBeUndefined()
    expect(JSON.stringify(schemas)).not.toContain('sk-live')
  })

  it("moves a recursive schema's $defs into components so its refs resolve in the document", async () => {
    const node: z.ZodType<{ name: string; children: unknown[] }> = z.object({
      name: z.string(),
      get children() {
        return z.array(node)
      },
    })
    const tree = await createConfigStore({
      schema: z.object({
        root: node.default({ name: 'r', children: [] }),
        token: secret(z.string()).default('t0ken'),
      }),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    })
    try {
      const doc = docOf(tree)
      await expectValidOpenApi(doc)
      const text = JSON.stringify(doc)
      expect(text).not.toContain('"#/$defs/')
      const refs = [...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!)
      for (const name of refs) expect(doc.components.schemas, name).toHaveProperty([name])
      const contract = createContract(doc)
      const body = { root: { name: 'a', children: [{ name: 'b', children: [] }] }, token: '[redacted]' }
      await contract.check(
        { method: 'GET', url: 'http://x/config', headers: { authorization: 'Bearer t' } },
        Response.json(body, { headers: { etag: '"0123456789abcdef-1"' } }),
      )
      await expect(
        contract.check(
          { method: 'GET', url: 'http://x/config', headers: { authorization: 'Bearer t' } },
          Response.json(
            { ...body, root: { name: 'a', children: [{ name: 1 }] } },
            { headers: { etag: '"0123456789abcdef-1"' } },
          ),
        ),
      ).rejects.toThrow(/body does not match/)
    } finally {
      await tree.close()
    }
  })
})

describe('the contract check', () => {
  const request = {
    method: 'GET',
    url: 'http://h/config/status',
    headers: { authorization: `Bearer ${READ}` },
  }

  it('refuses an undocumented field, status, header or content type, and a refused request that succeeds', async () => {
    const s = await open()
    const contract = createContract(docOf(s))
    const app = createAdminApp(s, { tokens: TOKENS })
    const status = (await (await app.request('/config/status', request)).json()) as Doc
    await contract.check(request, Response.json(status))
    await expect(contract.check(request, Response.json({ ...status, extra: 1 }))).rejects.toThrow(
      /must NOT have additional properties/,
    )
    await expect(contract.check(request, Response.json(status, { status: 202 }))).rejects.toThrow(
      /status 202 is not documented/,
    )
    await expect(
      contract.check(request, Response.json(status, { headers: { 'x-debug': '1' } })),
    ).rejects.toThrow(/header x-debug is not documented/)
    await expect(
      contract.check(
        request,
        new Response(JSON.stringify(status), { headers: { 'content-type': 'text/html' } }),
      ),
    ).rejects.toThrow(/content type "text\/html" is not documented/)
    await expect(contract.check({ ...request, headers: {} }, Response.json(status))).rejects.toThrow(
      /refuses this request \(no bearer token\)/,
    )
    await expect(
      contract.check({ ...request, url: 'http://h/config/history?limit=0' }, Response.json([])),
    ).rejects.toThrow(/query parameter limit/)
  })
})
