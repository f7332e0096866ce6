import { afterEach, describe, expect, it } from 'vitest'
import type { AdminAddress } from '../../../src/adapters/http/index.ts'
import { serveAdmin } from '../../../src/adapters/http/index.ts'
import { ConfigError, createConfigStore } from '../../../src/index.ts'
import type { Adapter, ConfigStore } from '../../../src/types.ts'
import {
  ADMIN,
  closedByServer,
  memoryLogger,
  openStream,
  READ,
  rawSocket,
  type Served,
  schema,
  serveTestStore,
  type TestConfig,
  TOKENS,
} from './fixture.ts'

const opened: ConfigStore<TestConfig>[] = []
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close()
})

async function serve(options: Parameters<typeof serveTestStore>[0] = {}): Promise<Served> {
  const served = await serveTestStore(options)
  opened.push(served.store)
  return served
}

async function storeWith(environment: string, adapter: Adapter<TestConfig>) {
  const logger = memoryLogger()
  const store = await createConfigStore({
    schema,
    initial: { name: 'svc' },
    environment,
    logger,
    adapters: [adapter],
  })
  opened.push(store)
  return { store, logger }
}

describe('serveAdmin', () => {
  it('listens on 127.0.0.1 on an ephemeral port and reports the bound address', async () => {
    const served = await serve()
    expect(served.address.address).toBe('127.0.0.1')
    expect(served.address.port).toBeGreaterThan(0)
    expect(served.url).toBe(`http://127.0.0.1:${served.address.port}/config`)
    const line = served.logger.lines.find((l) => l.msg.includes('admin API listening'))
    expect(line).toMatchObject({ level: 'info', data: { address: '127.0.0.1', port: served.address.port } })
    expect(line?.msg).toContain(served.url)
    expect(served.store.status().adapters).toEqual([{ name: 'http', state: 'running' }])
    expect((await fetch(served.url, { headers: { authorization: `Bearer ${READ}` } })).status).toBe(200)
  })

  it('serves under a custom base', async () => {
    const served = await serve({ base: '/admin/' })
    expect(served.url).toMatch(/\/admin$/)
    expect(
      (await fetch(`${served.url}/status`, { headers: { authorization: `Bearer ${READ}` } })).status,
    ).toBe(200)
  })

  it('stops listening when the store closes', async () => {
    const served = await serve()
    await served.store.close()
    await expect(fetch(served.url)).rejects.toThrow()
  })

  it('releases its listening socket before close resolves when no client ever connected', async () => {
    const listening = () => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap')
    const before = listening()
    const served = await serve()
    expect(listening().length).toBe(before.length + 1)
    await served.store.close()
    expect(listening()).toEqual(before)
  })

  it('throws BAD_OPTIONS at creation for a non-loopback host without tokens, or a bad port', () => {
    for (const options of [
      { host: '0.0.0.0' },
      { host: '0.0.0.0', auth: 'none' as const },
      { auth: 'none' as const, tokens: TOKENS },
      { tokens: [{ name: 'short', token: 'fifteen-chars-x', role: 'admin' as const }] },
      { host: '10.1.2.3' },
      { port: -1 },
      { port: 1.5 },
      { closeGraceMs: -1 },
    ]) {
      expect(() => serveAdmin(options)).toThrow(ConfigError)
    }
    expect(() => serveAdmin({ host: '0.0.0.0', tokens: TOKENS })).not.toThrow()
    expect(() => serveAdmin({ host: '::1' })).not.toThrow()
    try {
      serveAdmin({ host: '0.0.0.0' })
    } catch (error) {
      expect((error as ConfigError).code).toBe('BAD_OPTIONS')
      expect((error as ConfigError).message).toMatch(/needs tokens/)
    }
  })

  it('refuses to start without tokens in production: the store is not created and nothing listens', async () => {
    let listened: AdminAddress | undefined
    const adapter = serveAdmin<TestConfig>({ port: 0, onListen: (a) => (listened = a) })
    await expect(storeWith('production', adapter)).rejects.toMatchObject({
      code: 'BAD_OPTIONS',
      message: expect.stringMatching(/tokens/),
    })
    expect(listened).toBeUndefined()
  })

  it('reports the adapter as failed without tokens in production when it is optional', async () => {
    const adapter = serveAdmin<TestConfig>({ port: 0 })
    const { store, logger } = await storeWith('production', { ...adapter, optional: true })
    expect(store.status().adapters[0]).toMatchObject({
      name: 'http',
      state: 'failed',
      lastError: expect.stringMatching(/tokens/),
    })
    expect(logger.lines.some((l) => l.level === 'error' && /tokens/.test(l.msg))).toBe(true)
  })

  it('generates an admin token without tokens, reports it to onListen and logs how to use it (#16)', async () => {
    let listened: AdminAddress | undefined
    const adapter = serveAdmin<TestConfig>({ port: 0, onListen: (a) => (listened = a) })
    const { store, logger } = await storeWith('development', adapter)
    const patch = { method: 'PATCH', body: '{"pool":{"max":20}}' }
    const json = { 'content-type': 'application/json' }
    expect((await fetch(listened!.url, { ...patch, headers: json })).status).toBe(401)
    const token = listened!.token!
    expect(token.length).toBeGreaterThanOrEqual(32)
    const res = await fetch(listened!.url, {
      ...patch,
      headers: { ...json, authorization: `Bearer ${token}` },
    })
    expect(res.status).toBe(200)
    expect(store.history({ limit: 1 })[0]?.actor).toBe('admin')
    expect(logger.lines.some((l) => l.level === 'info' && l.msg.includes(`Bearer ${token}`))).toBe(true)
  })

  it("serves anonymous admins on loopback with auth: 'none', with a warning, and no token (#16)", async () => {
    let listened: AdminAddress | undefined
    const adapter = serveAdmin<TestConfig>({ port: 0, auth: 'none', onListen: (a) => (listened = a) })
    const { store, logger } = await storeWith('development', adapter)
    expect(listened!.token).toBeUndefined()
    const res = await fetch(listened!.url, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"pool":{"max":20}}',
    })
    expect(res.status).toBe(200)
    expect(store.history({ limit: 1 })[0]?.actor).toBe('anonymous')
    expect(logger.lines.some((l) => l.level === 'warn' && /no authentication/.test(l.msg))).toBe(true)
  })

  it('fails store creation with ADAPTER_FAILED when the port is taken (#16)', async () => {
    const first = await serve()
    const error = await storeWith(
      'test',
      serveAdmin<TestConfig>({ port: first.address.port, tokens: TOKENS }),
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect(error).toMatchObject({
      code: 'ADAPTER_FAILED',
      message: expect.stringMatching(/"http".*EADDRINUSE/),
    })
    expect((error as ConfigError).cause).toMatchObject({ code: 'EADDRINUSE' })
  })

  it('reports the adapter as failed when the port is taken and it is optional', async () => {
    const first = await serve()
    const adapter = serveAdmin<TestConfig>({ port: first.address.port, tokens: TOKENS })
    const { store } = await storeWith('test', { ...adapter, optional: true })
    expect(store.status().adapters[0]).toMatchObject({
      state: 'failed',
      lastError: expect.stringMatching(/EADDRINUSE/),
    })
  })

  it('closes a connection whose headers arrive too slowly (slowloris, #15)', async () => {
    const served = await serve({ headersTimeoutMs: 200, requestTimeoutMs: 400 })
    const socket = await rawSocket(served.address, 'GET /config HTTP/1.1\r\nhost: x\r\n')
    const closed = closedByServer(socket)
    let sent = 0
    const trickle = setInterval(() => socket.write(`x-${sent++}: y\r\n`), 20)
    const answer = await closed
    clearInterval(trickle)
    expect(answer).toMatch(/^HTTP\/1\.1 408/)
  })

  it('closes a connection whose body arrives too slowly (#15)', async () => {
    const served = await serve({ headersTimeoutMs: 200, requestTimeoutMs: 400 })
    const socket = await rawSocket(
      served.address,
      `PATCH /config HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ADMIN}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{`,
    )
    const closed = closedByServer(socket)
    const trickle = setInterval(() => socket.write(' '), 20)
    await closed
    clearInterval(trickle)
    expect(served.store.revision).toBe(1)
  })

  it('keeps an event stream open past requestTimeoutMs: the timeout covers receiving the request only', async () => {
    const served = await serve({ headersTimeoutMs: 100, requestTimeoutMs: 100 })
    const stream = await openStream(served.url)
    await stream.next()
    await new Promise((r) => setTimeout(r, 400))
    await served.store.set('pool.max', 20)
    expect((await stream.next())?.event).toBe('change')
    stream.close()
  })

  it('throws BAD_OPTIONS for timeouts that are not positive integers, or headers allowed longer than the request', () => {
    for (const options of [
      { headersTimeoutMs: 0 },
      { requestTimeoutMs: -1 },
      { requestTimeoutMs: 1.5 },
      { headersTimeoutMs: 2000, requestTimeoutMs: 1000 },
    ]) {
      expect(() => serveAdmin({ tokens: TOKENS, ...options })).toThrow(ConfigError)
    }
  })
})
