// The servers of measure 7, in their own process so that autocannon does not share their CPU time: hotconf's admin
// app and a bare Hono route returning the same JSON, each served by @hono/node-server on 127.0.0.1 (ephemeral
// ports). Started by bench/http.ts over IPC; answers `revision` requests; exits when the parent disconnects.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { z } from 'zod'
import { createAdminApp } from '../src/adapters/http/index.ts'
import { createConfigStore, secret } from '../src/index.ts'
import { quietLogger } from './measure.ts'

/** What the servers tell the measuring process once they listen. */
export interface ServersReady {
  readonly admin: string
  readonly bare: string
  readonly token: string
}

const TOKEN = 'bench-admin-token-0123456789abcdef'

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
const store = await createConfigStore({ schema, environment: 'bench', logger: quietLogger })
const admin = createAdminApp(store, {
  tokens: [{ name: 'bench', token: TOKEN, role: 'admin' }],
  logger: quietLogger,
})
// The same JSON as the admin's GET /config: the current config with its secrets redacted.
const sameJson = store.redact(store.current)
const bare = new Hono().get('/config', (c) => c.json(sameJson))

const adminServer = await listen(admin.fetch)
const bareServer = await listen(bare.fetch)
process.send!({ admin: `${adminServer.url}/config`, bare: `${bareServer.url}/config`, token: TOKEN })
process.on('message', (message) => {
  if (message === 'revision') process.send!({ revision: store.revision })
})
process.on('disconnect', async () => {
  adminServer.server.close()
  bareServer.server.close()
  await store.close()
  process.exit(0)
})

// --- internal ---

function listen(fetch: (request: Request) => Response | Promise<Response>) {
  return new Promise<{ server: ReturnType<typeof serve>; url: string }>((resolve) => {
    const server = serve({ fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      resolve({ server, url: `http://127.0.0.1:${info.port}` })
    })
  })
}
