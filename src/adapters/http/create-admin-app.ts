import { Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { ConfigError } from '../../errors.ts'
import type { ConfigStore } from '../../types.ts'
import type { AdminContext, AnyStore } from './admin-context.ts'
import { adminTokens } from './admin-tokens.ts'
import { type AdminEnv, badOption, createGuard } from './auth.ts'
import { createMetrics } from './metrics.ts'
import type { AdminAppOptions } from './options.ts'
import { problemResponse } from './problem.ts'
import { adminRoutes } from './routes-admin.ts'
import { configRoutes } from './routes-config.ts'
import { fleetRoutes } from './routes-fleet.ts'
import { historyRoutes } from './routes-history.ts'
import { statusRoutes } from './routes-status.ts'
import { createStreamRegistry } from './stream-registry.ts'

/** The admin API's Hono app, with the admin token it generated when it was given none. */
export type AdminApp = Hono<AdminEnv> & { readonly generatedToken?: string }

/**
 * The admin API as a Hono app: a web-standard `fetch(Request)` handler that mounts in any framework or runtime.
 * Every write goes through the store's transactions, with the token's name as actor; secrets are redacted in
 * every response. Without tokens it generates a random admin token, logs it and keeps it in `generatedToken`;
 * `auth: 'none'` turns authentication off instead. Throws a `ConfigError` (`BAD_OPTIONS`) for unusable options,
 * and in `production` without tokens. See docs/http.md for the routes.
 *
 * @example
 * const token = process.env.ADMIN_TOKEN!
 * const app = createAdminApp(store, { tokens: [{ name: 'ops', token, role: 'admin' }] })
 * export default { fetch: app.fetch }                // any fetch-based runtime
 * const res = await app.request('/config/values/pool.max', { headers: { authorization: `Bearer ${token}` } })
 */
export function createAdminApp<TConfig>(
  store: ConfigStore<TConfig>,
  options: AdminAppOptions = {},
): AdminApp {
  const {
    base = '/config',
    tokens = [],
    auth = 'token',
    bodyLimit: maxSize = 256 * 1024,
    metrics = true,
    metricsPrefix = 'hotconf_',
    heartbeatMs = 15_000,
    maxStreams = 100,
    streamBacklogBytes = 1024 * 1024,
    logger = console,
    signal,
  } = options
  checkOptions({ base, maxSize, heartbeatMs, metricsPrefix, maxStreams, streamBacklogBytes })
  const { tokens: accepted, generated } = adminTokens(auth, tokens, store.environment, logger)
  const anyStore = store as unknown as AnyStore
  const ctx: AdminContext = {
    store: anyStore,
    guard: createGuard(accepted),
    metrics: metrics ? createMetrics(anyStore, metricsPrefix) : undefined,
    heartbeatMs,
    streamBacklogBytes,
    streams: createStreamRegistry(maxStreams, signal),
  }

  const api = new Hono<AdminEnv>()
  const tooLarge = () => problemResponse(413, 'PAYLOAD_TOO_LARGE', `the body is larger than ${maxSize} bytes`)
  const limit = bodyLimit({ maxSize, onError: tooLarge })
  // A declared length is checked from the header (Node's parser reads no more than it). Hono's bodyLimit reads
  // `raw.body`, which makes @hono/node-server build a web Request around the socket: most of a PATCH's cost. A
  // chunked body, whose size is known only once read, still goes through it.
  const limitBody: MiddlewareHandler<AdminEnv> = async (c, next) => {
    const length = c.req.header('content-length')
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return limit(c, next)
    if (Number(length) > maxSize) return tooLarge()
    await next()
  }
  // Only on the methods that carry a body: a GET route keeps one handler, and with it Hono's synchronous path.
  api.on(['POST', 'PUT', 'PATCH', 'DELETE'], '*', limitBody)
  configRoutes(api, ctx)
  historyRoutes(api, ctx)
  adminRoutes(api, ctx)
  statusRoutes(api, ctx)
  fleetRoutes(api, ctx)

  const app = new Hono<AdminEnv>()
  app.route(normalizeBase(base), api)
  app.notFound((c) =>
    problemResponse(404, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path.slice(0, 200)}`),
  )
  app.onError(function adminError(error, c) {
    if (error instanceof HTTPException) return error.getResponse()
    // A path the schema cannot have (`store.get`, `store.reset`) is a missing resource.
    if (error instanceof ConfigError && error.code === 'NOT_FOUND')
      return problemResponse(404, 'NOT_FOUND', error.message)
    logger.error(`admin API: ${c.req.method} ${c.req.path} failed: ${error.message}`)
    // Never the message or the stack: they may quote config values.
    return problemResponse(500, 'INTERNAL', 'the server failed to answer; its log says why')
  })
  return generated ? Object.assign(app, { generatedToken: generated.token }) : app
}

/** `'/config/'` → `'/config'`; `'/'` stays. */
export function normalizeBase(base: string): string {
  return base.length > 1 ? base.replace(/\/+$/, '') : base
}

// --- internal ---

function checkOptions(o: {
  base: string
  maxSize: number
  heartbeatMs: number
  metricsPrefix: string
  maxStreams: number
  streamBacklogBytes: number
}): void {
  if (!/^\/[A-Za-z0-9._~/-]*$/.test(o.base))
    badOption('base', `base must be a URL path starting with "/", got "${o.base}"`)
  if (!Number.isInteger(o.maxSize) || o.maxSize < 1)
    badOption('bodyLimit', 'bodyLimit must be a positive integer (bytes)')
  for (const key of ['heartbeatMs', 'maxStreams', 'streamBacklogBytes'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) badOption(key, `${key} must be a positive integer`)
  }
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(o.metricsPrefix))
    badOption('metricsPrefix', 'metricsPrefix must be a valid Prometheus name prefix')
}
