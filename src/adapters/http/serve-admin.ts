import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type HttpBindings, serve } from '@hono/node-server'
import type { Adapter, AdapterHandle } from '../../types.ts'
import { handlesReleased } from '../handles-released.ts'
import { checkAuth } from './admin-tokens.ts'
import { badOption } from './auth.ts'
import { createAdminApp } from './create-admin-app.ts'
import { normalizeBase } from './operation.ts'
import type { ServeAdminOptions } from './options.ts'

/**
 * An adapter that serves the admin API on Node (`@hono/node-server`), on `127.0.0.1` unless told otherwise.
 * Without tokens it generates an admin token at start (logged, and passed to `onListen` as `token`); without tokens
 * or with `auth: 'none'` it binds only loopback and never in `production` (a `ConfigError` with `BAD_OPTIONS`: here
 * for the host, when the store starts it for the environment). Slow clients are cut by `headersTimeoutMs` and
 * `requestTimeoutMs`. Disposing ends event streams cleanly, lets requests in
 * flight finish (up to `closeGraceMs`), then closes every connection, and resolves once the port is released.
 *
 * @example
 * const store = await createConfigStore({
 *   schema,
 *   adapters: [serveAdmin({ port: 7070, tokens: [{ name: 'ops', token: process.env.ADMIN_TOKEN!, role: 'admin' }] })],
 * })
 * // curl -H "Authorization: Bearer $ADMIN_TOKEN" http://127.0.0.1:7070/config
 */
export function serveAdmin<TConfig = unknown>(options: ServeAdminOptions = {}): Adapter<TConfig> {
  const {
    host = '127.0.0.1',
    port = 7070,
    onListen,
    name = 'http',
    closeGraceMs = 5000,
    headersTimeoutMs = 10_000,
    requestTimeoutMs = 30_000,
    ...appOptions
  } = options
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    badOption('port', `port must be an integer from 0 to 65535, got ${port}`)
  if (!Number.isInteger(closeGraceMs) || closeGraceMs < 0)
    badOption('closeGraceMs', 'closeGraceMs must be an integer >= 0')
  for (const [key, ms] of [
    ['headersTimeoutMs', headersTimeoutMs],
    ['requestTimeoutMs', requestTimeoutMs],
  ] as const) {
    if (!Number.isInteger(ms) || ms < 1) badOption(key, `${key} must be a positive integer`)
  }
  if (headersTimeoutMs > requestTimeoutMs)
    badOption('headersTimeoutMs', 'headersTimeoutMs must not be longer than requestTimeoutMs')
  checkAuth(appOptions.auth ?? 'token', appOptions.tokens ?? [])
  if ((appOptions.tokens ?? []).length === 0 && !isLoopback(host)) {
    badOption(
      'tokens',
      `serving the admin API on ${host} needs tokens; without them it binds only loopback (127.0.0.1, ::1)`,
    )
  }
  return {
    name,
    async start(ctx): Promise<AdapterHandle> {
      const closing = new AbortController()
      const app = createAdminApp(ctx.store, { ...appOptions, logger: ctx.logger, signal: closing.signal })
      const inFlight = new Set<Promise<void>>()
      const timeouts = { headersTimeoutMs, requestTimeoutMs }
      const server = await listen(host, port, timeouts, (request, env) => {
        const done = new Promise<void>((resolve) => env.outgoing.once('close', resolve))
        inFlight.add(done)
        void done.then(() => inFlight.delete(done))
        return app.fetch(request, env)
      })
      const bound = server.address() as AddressInfo
      const shown = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address
      const url = `http://${shown}:${bound.port}${normalizeBase(appOptions.base ?? '/config')}`
      server.on('error', (error) => ctx.setState('failed', error))
      ctx.logger.info(`admin API listening on ${url}`, { address: bound.address, port: bound.port })
      const token = app.generatedToken
      onListen?.({ address: bound.address, port: bound.port, url, ...(token === undefined ? {} : { token }) })

      let closed: Promise<void> | undefined
      const dispose = () => {
        closed ??= (async () => {
          closing.abort()
          const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
          let timer: NodeJS.Timeout | undefined
          const grace = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, closeGraceMs)
          })
          await Promise.race([Promise.all(inFlight), grace])
          clearTimeout(timer)
          // Keep-alive sockets and requests past the grace period would hold the server open.
          server.closeAllConnections()
          await stopped
          await handlesReleased()
        })()
        return closed
      }
      ctx.signal.addEventListener('abort', () => void dispose(), { once: true })
      return { dispose }
    },
  }
}

// --- internal ---

type Fetch = (request: Request, env: HttpBindings) => Response | Promise<Response>

function listen(
  hostname: string,
  port: number,
  { headersTimeoutMs, requestTimeoutMs }: { headersTimeoutMs: number; requestTimeoutMs: number },
  fetch: Fetch,
): Promise<Server> {
  const serverOptions = {
    headersTimeout: headersTimeoutMs,
    requestTimeout: requestTimeoutMs,
    // Node checks the timeouts every 30 s by default, which would stretch a 10 s limit to 40 s.
    connectionsCheckingInterval: Math.min(30_000, Math.max(10, Math.floor(headersTimeoutMs / 4))),
  }
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: fetch as never, hostname, port, serverOptions }, () => {
      server.off('error', reject)
      resolve(server as Server)
    })
    server.once('error', reject)
  })
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}
