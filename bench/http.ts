/**
 * Admin API throughput: requests/s and p99 for `GET /config`, `PATCH /config` (one key) and a bare Hono route that
 * returns the same JSON, each on its own ephemeral port on 127.0.0.1.
 *
 *   node --conditions=source --import tsx bench/http.ts [--duration 5] [--connections 10]
 *
 * Uses autocannon when it is installed; otherwise a plain keep-alive client of the same shape (marked in the output).
 */
import { Agent, request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { z } from 'zod'
import { createAdminApp } from '../src/adapters/http/index.ts'
import { createConfigStore, secret } from '../src/index.ts'

interface Load {
  readonly url: string
  readonly method: 'GET' | 'PATCH'
  readonly headers: Record<string, string>
  /** A fresh body per request (a new value each time, so every PATCH commits). */
  readonly body?: () => string
}

interface Figures {
  readonly requests: number
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly non2xx: number
}

const args = new Map(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith('--') ? [[a.slice(2), all[i + 1]]] : [])),
)
const duration = Number(args.get('duration') ?? 5)
const connections = Number(args.get('connections') ?? 10)
const TOKEN = 'bench-admin-token-0123456789'

const schema = z.object({
  server: z.object({ host: z.string().default('0.0.0.0'), port: z.number().int().default(8080) }),
  pool: z.object({ min: z.number().int().default(2), max: z.number().int().min(1).default(10) }),
  features: z.record(z.string(), z.boolean()).default({ search: true, beta: false, darkMode: true }),
  limits: z.object({
    rps: z.number().default(500),
    burst: z.number().default(50),
    timeoutMs: z.number().default(3000),
  }),
  apiKey: secret(z.string()).default('sk-bench-secret'),
})
const store = await createConfigStore({ schema, environment: 'bench', logger: quietLogger() })
const admin = createAdminApp(store, { tokens: [{ name: 'bench', token: TOKEN, role: 'admin' }] })
const bare = new Hono()
const sameJson = store.redact(store.current)
bare.get('/config', (c) => c.json(sameJson))

const adminServer = await listen(admin.fetch)
const bareServer = await listen(bare.fetch)
const auth = { authorization: `Bearer ${TOKEN}` }
let next = 0
const loads: [string, Load][] = [
  ['bare Hono GET (same JSON)', { url: `${bareServer.url}/config`, method: 'GET', headers: {} }],
  ['admin GET /config', { url: `${adminServer.url}/config`, method: 'GET', headers: auth }],
  [
    'admin PATCH /config (one key)',
    {
      url: `${adminServer.url}/config`,
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json' },
      body: () => `{"pool":{"max":${(next++ % 1000) + 1}}}`,
    },
  ],
]

const runner = await loadRunner()
console.log(`engine: ${runner.name}; ${connections} connections, ${duration}s each; node ${process.version}`)
const results = new Map<string, Figures>()
for (const [label, load] of loads) {
  await runner.run(load, 1) // warm-up
  const figures = await runner.run(load, duration)
  results.set(label, figures)
  console.log(
    `${label.padEnd(32)} ${figures.rps.toFixed(0).padStart(7)} req/s   p50 ${figures.p50.toFixed(2)} ms   p99 ${figures.p99.toFixed(2)} ms   non-2xx ${figures.non2xx}`,
  )
}
const ratio = results.get('admin GET /config')!.rps / results.get('bare Hono GET (same JSON)')!.rps
console.log(
  `admin GET / bare GET = ${ratio.toFixed(2)}x (target >= 0.8x); revision after PATCHes: ${store.revision}`,
)

adminServer.server.close()
bareServer.server.close()
await store.close()

// --- internal ---

async function listen(fetch: (request: Request) => Response | Promise<Response>) {
  return new Promise<{ server: ReturnType<typeof serve>; url: string }>((resolve) => {
    const server = serve({ fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      resolve({ server, url: `http://127.0.0.1:${info.port}` })
    })
  })
}

async function loadRunner(): Promise<{ name: string; run(load: Load, seconds: number): Promise<Figures> }> {
  try {
    // Optional: a devDependency of the benchmarks, not of hotconf.
    const { default: autocannon } = (await import('autocannon' as string)) as { default: AutocannonFn }
    return { name: 'autocannon', run: (load, seconds) => viaAutocannon(autocannon, load, seconds) }
  } catch {
    return { name: 'built-in keep-alive client (autocannon is not installed)', run: viaKeepAlive }
  }
}

type AutocannonFn = (options: Record<string, unknown>) => Promise<{
  requests: { total: number; average: number }
  latency: { p50: number; p99: number }
  non2xx: number
  duration: number
}>

async function viaAutocannon(autocannon: AutocannonFn, load: Load, seconds: number): Promise<Figures> {
  const result = await autocannon({
    url: load.url,
    connections,
    duration: seconds,
    requests: [
      {
        method: load.method,
        headers: load.headers,
        ...(load.body ? { setupRequest: (req: object) => ({ ...req, body: load.body!() }) } : {}),
      },
    ],
  })
  return {
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  }
}

async function viaKeepAlive(load: Load, seconds: number): Promise<Figures> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  const latencies: number[] = []
  let non2xx = 0
  const started = performance.now()
  const deadline = started + seconds * 1000
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const t0 = performance.now()
      const body = load.body?.()
      const req = httpRequest(load.url, { method: load.method, headers: load.headers, agent }, (res) => {
        if ((res.statusCode ?? 0) >= 300) non2xx++
        res.on('data', () => {})
        res.on('end', () => {
          latencies.push(performance.now() - t0)
          resolve()
        })
      })
      req.on('error', reject)
      req.end(body)
    })
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) await one()
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
  return { requests: latencies.length, rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), non2xx }
}

function quietLogger() {
  const none = () => {}
  return { debug: none, info: none, warn: none, error: none }
}
