// The admin API inside your own server: mounted in a parent Hono app, and behind a plain node:http server (which is
// how an Express app mounts it). Run: node --conditions=@hotconf/source --import tsx examples/express-mount/main.ts
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener, serve } from '@hono/node-server'
import { Hono } from 'hono'
import { createConfigStore } from 'hotconf'
import { createAdminApp } from 'hotconf/http'
import { z } from 'zod'

const schema = z.object({ greeting: z.object({ text: z.string().min(1).default('Hello') }) })

const token = randomBytes(18).toString('base64url')
const shutdown = new AbortController()
await using store = await createConfigStore({ schema })
// One admin app serves both parents. Its routes live under `base` ('/config'), below wherever it is mounted.
const admin = createAdminApp(store, {
  tokens: [{ name: 'ops', token, role: 'write' }],
  // Without serveAdmin nobody else ends open event streams on shutdown: pass the parent's signal.
  signal: shutdown.signal,
})

// (a) A parent Hono app: its own routes, plus the admin API under /admin.
const parent = new Hono()
parent.get('/', (c) => c.text(greet('the Hono app')))
parent.route('/admin', admin)
// Without https or http2 options, serve() makes a node:http server.
const honoServer = serve({ fetch: parent.fetch, hostname: '127.0.0.1', port: 0 }) as Server

// (b) A plain node:http server handing /admin/* to the admin app. Like Express's app.use('/admin', …), it strips the
// mount path from req.url first: the admin app sees /config/…, exactly as behind Express.
const toAdmin = getRequestListener(admin.fetch)
const nodeServer = createServer((req, res) => {
  const url = req.url ?? '/'
  if (url === '/admin' || url.startsWith('/admin/') || url.startsWith('/admin?')) {
    req.url = url.slice('/admin'.length) || '/'
    void toAdmin(req, res)
    return
  }
  res.writeHead(200, { 'content-type': 'text/plain' }).end(greet('node:http'))
})
nodeServer.listen(0, '127.0.0.1')
await Promise.all([once(honoServer, 'listening'), once(nodeServer, 'listening')])

const auth = { authorization: `Bearer ${token}` }
try {
  for (const [name, server] of [
    ['the Hono app', honoServer],
    ['node:http', nodeServer],
  ] as const) {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    console.log(`\n— mounted in ${name}, on ${base}`)

    const own = await call('GET', `${base}/`)
    assert.equal(own.status, 200)

    const read = await call('GET', `${base}/admin/config`, { headers: auth })
    assert.equal(read.status, 200)

    const text = name === 'node:http' ? 'Hola' : 'Bonjour'
    const patch = await call('PATCH', `${base}/admin/config`, {
      headers: { ...auth, 'content-type': 'application/merge-patch+json', 'x-reason': `mounted in ${name}` },
      body: JSON.stringify({ greeting: { text } }),
    })
    assert.equal(patch.status, 200)
    assert.equal((patch.body as { status: string }).status, 'committed')
    assert.equal(store.current.greeting.text, text)
    assert.equal((await call('GET', `${base}/`)).body, greet(name).trim())

    const anonymous = await call('GET', `${base}/admin/config`)
    assert.equal(anonymous.status, 401)
  }

  const actors = store.history().map((h) => `r${h.revision} by ${h.actor} (${h.reason})`)
  console.log('\nhistory:', actors)
  assert.deepEqual(
    store.history().map((h) => h.actor),
    ['ops', 'ops'],
  )
} finally {
  shutdown.abort()
  await Promise.all([close(honoServer), close(nodeServer)])
}

// --- internal ---

function greet(server: string): string {
  return `${store.current.greeting.text} from ${server}\n`
}

/** One request, printed as `METHOD path → status body`. */
async function call(method: string, url: string, init: RequestInit = {}) {
  const res = await fetch(url, { ...init, method })
  const type = res.headers.get('content-type') ?? ''
  const body: unknown = type.includes('json') ? await res.json() : (await res.text()).trim()
  console.log(`${method} ${new URL(url).pathname} → ${res.status} ${JSON.stringify(body)}`)
  return { status: res.status, body }
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
}
