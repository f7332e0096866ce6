import { connect, type Socket } from 'node:net'
import { z } from 'zod'
import type {
  AdminAddress,
  AdminApp,
  AdminToken,
  ServeAdminOptions,
} from '../../../src/adapters/http/index.ts'
import { serveAdmin } from '../../../src/adapters/http/index.ts'
import { createConfigStore, restart, secret } from '../../../src/index.ts'
import type { ConfigStore, Logger } from '../../../src/types.ts'
import { type Contract, createContract } from './contract.ts'

/** Secret values: no response, event or metric may ever contain them. */
export const API_KEY = 'sk-live-4f9a2c7e1b'
export const DB_PASSWORD = 'hunter2-db-Zq81x'
export const SECRETS = [API_KEY, DB_PASSWORD]

export const schema = z.object({
  server: z.object({ port: restart(z.number().int().min(1).max(65535)).default(8080) }),
  pool: z
    .object({ min: z.number().int().min(0).default(2), max: z.number().int().min(1).max(1000).default(10) })
    .refine((p) => p.min <= p.max, { message: 'pool.min must be <= pool.max' }),
  name: z.string().min(1),
  apiKey: secret(z.string().min(8)).default(API_KEY),
  db: z.object({ host: z.string().default('localhost'), password: secret(z.string()).default(DB_PASSWORD) }),
  features: z.record(z.string(), z.boolean()).default({}),
  tags: z.array(z.string()).default([]),
})

export type TestConfig = z.output<typeof schema>

export const TOKENS: readonly AdminToken[] = [
  { name: 'reader', token: 'read-token-0123456789', role: 'read' },
  { name: 'writer', token: 'write-token-0123456789', role: 'write' },
  { name: 'boss', token: 'admin-token-0123456789', role: 'admin' },
]
export const READ = TOKENS[0]!.token
export const WRITE = TOKENS[1]!.token
export const ADMIN = TOKENS[2]!.token

/** A logger that keeps every line, so tests can read what an adapter logged. */
export function memoryLogger(): Logger & {
  lines: { level: string; msg: string; data?: Record<string, unknown> }[]
} {
  const lines: { level: string; msg: string; data?: Record<string, unknown> }[] = []
  const log = (level: string) => (msg: string, data?: Record<string, unknown>) => {
    lines.push({ level, msg, ...(data ? { data } : {}) })
  }
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
}

export function createTestStore(options: { environment?: string; historyLimit?: number } = {}) {
  return createConfigStore({
    schema,
    initial: { name: 'svc' },
    environment: options.environment ?? 'test',
    logger: memoryLogger(),
    ...(options.historyLimit ? { historyLimit: options.historyLimit } : {}),
  })
}

export interface Served {
  readonly store: ConfigStore<TestConfig>
  /** The API's base URL, e.g. `http://127.0.0.1:41234/config`. */
  readonly url: string
  readonly address: AdminAddress
  readonly logger: ReturnType<typeof memoryLogger>
  /** The ETag of the revision the store started at. */
  readonly etag: string
  call(method: string, path: string, init?: CallInit): Promise<Response>
}

export interface CallInit {
  readonly token?: string | null
  readonly body?: unknown
  readonly raw?: string
  readonly headers?: Record<string, string>
}

/** A real store serving the admin API on 127.0.0.1, on an ephemeral port. Close the store to stop it. */
export async function serveTestStore(
  options: Partial<ServeAdminOptions> & { historyLimit?: number } = {},
): Promise<Served> {
  const logger = memoryLogger()
  let address: AdminAddress | undefined
  const { historyLimit, ...serveOptions } = options
  const store = await createConfigStore({
    schema,
    initial: { name: 'svc' },
    environment: 'test',
    logger,
    ...(historyLimit ? { historyLimit } : {}),
    adapters: [
      serveAdmin({
        port: 0,
        tokens: TOKENS,
        heartbeatMs: 60_000,
        onListen: (a) => {
          address = a
        },
        ...serveOptions,
      }),
    ],
  })
  if (!address) throw new Error(`the admin API did not start: ${JSON.stringify(logger.lines)}`)
  const url = address.url
  // Every exchange with this server is checked against the document it serves.
  const token =
    serveOptions.auth === 'none' ? null : (address.token ?? (serveOptions.tokens ?? TOKENS)[0]?.token)
  const doc = await fetch(
    `${url}/openapi.json`,
    token ? { headers: { authorization: `Bearer ${token}` } } : {},
  )
  if (!doc.ok) throw new Error(`GET /openapi.json answered ${doc.status}`)
  contracts.set(url, createContract((await doc.json()) as Record<string, unknown>))
  const etag = (await call(url, 'HEAD', '', { token: READ })).headers.get('etag') ?? ''
  return { store, url, address, logger, etag, call: (method, path, init) => call(url, method, path, init) }
}

/** The ETag the served store gives `revision` (`"<incarnation>-<revision>"`), built from one it answered. */
export function etagOf(served: Served, revision: number): string {
  return served.etag.replace(/-\d+"$/, `-${revision}"`)
}

/** The contract of the server at a base URL, registered by `serveTestStore`. */
export function contractOf(base: string): Contract {
  const contract = contracts.get(base)
  if (!contract) throw new Error(`no OpenAPI contract for ${base}: serve it with serveTestStore`)
  return contract
}

/**
 * One request with a bearer token (admin unless told otherwise) and a JSON body; the request and its response are
 * checked against the server's OpenAPI document.
 */
export async function call(
  base: string,
  method: string,
  path: string,
  init: CallInit = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers }
  const token = init.token === undefined ? ADMIN : init.token
  if (token !== null) headers.authorization = `Bearer ${token}`
  let body: string | undefined = init.raw
  if (init.body !== undefined) {
    body = JSON.stringify(init.body)
    headers['content-type'] ??= 'application/json'
  }
  const url = `${base}${path}`
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) })
  await contractOf(base).check({ method, url, headers, body }, res)
  return res
}

/**
 * `app.request` with each exchange checked against the OpenAPI document the app serves (read with `token`, or
 * without one under `auth: 'none'`), as `call` checks a served app's.
 */
export function checkedRequest(
  app: AdminApp,
  { base = '/config', token = READ }: { base?: string; token?: string | null } = {},
): (path: string, init?: RequestInit) => Promise<Response> {
  let contract: Contract | undefined
  return async (path, init = {}) => {
    if (!contract) {
      const docPath = `${base === '/' ? '' : base}/openapi.json`
      const doc = await app.request(docPath, token ? { headers: { authorization: `Bearer ${token}` } } : {})
      contract = createContract((await doc.json()) as Record<string, unknown>)
    }
    const res = await app.request(path, init)
    const headers = Object.fromEntries(new Headers(init.headers).entries())
    const body = typeof init.body === 'string' ? init.body : undefined
    await (await contract).check(
      { method: init.method ?? 'GET', url: `http://localhost${path}`, headers, body },
      res,
    )
    return res
  }
}

/** A raw TCP connection to the admin API that writes `text` (a request, or its start) and reads nothing. */
export async function rawSocket(address: AdminAddress, text: string): Promise<Socket> {
  const socket = connect({ host: address.address, port: address.port })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  socket.on('error', () => {})
  socket.write(text)
  return socket
}

/** Resolves when the server has closed `socket` (the promise carries what it sent before). */
export function closedByServer(socket: Socket): Promise<string> {
  let received = ''
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1')
  })
  return new Promise((resolve) => socket.once('close', () => resolve(received)))
}

/** Polls `condition` every 5 ms until it holds. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5))
}

/** One parsed Server-Sent Event. */
export interface SseEvent {
  readonly id?: string
  readonly event?: string
  readonly data: string
}

/** Opens `GET /stream` and reads its events one at a time. */
export async function openStream(base: string, headers: Record<string, string> = {}) {
  const controller = new AbortController()
  const url = `${base}/stream`
  const sent = { authorization: `Bearer ${READ}`, ...headers }
  const res = await fetch(url, { headers: sent, signal: controller.signal })
  const contract = contractOf(base)
  await contract.check({ method: 'GET', url, headers: sent }, res)
  if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`)
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  const raw: string[] = []
  return {
    response: res,
    /** Everything received so far, comments included. */
    raw,
    async next(): Promise<SseEvent | undefined> {
      for (;;) {
        const end = buffer.indexOf('\n\n')
        if (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const event = parseEvent(block)
          if (event) contract.checkEvent(url, event.event, event.data)
          if (event) return event
          continue
        }
        const { done, value } = await reader.read()
        if (done) return undefined
        raw.push(value)
        buffer += value
      }
    },
    close() {
      controller.abort()
    },
  }
}

// --- internal ---

const contracts = new Map<string, Contract>()

function parseEvent(block: string): SseEvent | undefined {
  const fields: { id?: string; event?: string; data: string[] } = { data: [] }
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const name = line.slice(0, colon)
    const value = line.slice(colon + 1).replace(/^ /, '')
    if (name === 'data') fields.data.push(value)
    else if (name === 'id') fields.id = value
    else if (name === 'event') fields.event = value
  }
  if (fields.data.length === 0 && fields.event === undefined) return undefined
  return {
    data: fields.data.join('\n'),
    ...(fields.id === undefined ? {} : { id: fields.id }),
    ...(fields.event === undefined ? {} : { event: fields.event }),
  }
}
