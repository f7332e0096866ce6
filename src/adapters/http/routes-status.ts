import { configJsonSchema } from '../../adapter-kit.ts'
import type { AdminApi, AdminContext } from './admin-context.ts'
import { jsonResponse } from './json.ts'
import { fail } from './problem.ts'
import { streamChanges } from './sse.ts'

/** `GET /status`, `GET /schema`, `GET /health`, `GET /metrics`, `GET /stream`. */
export function statusRoutes(
  api: AdminApi,
  { store, guard, metrics, heartbeatMs, streamBacklogBytes, streams }: AdminContext,
): void {
  api.get(
    '/status',
    guard('read', () => {
      const status = store.status()
      return jsonResponse({
        ...status,
        pendingRestart: status.pendingRestart.map((p) => ({
          path: p.path,
          live: store.redact(p.live, p.path),
          next: store.redact(p.next, p.path),
        })),
      })
    }),
  )

  // The schema never changes: convert it once per shape asked for.
  const schemas = new Map<'input' | 'output', Record<string, unknown>>()
  api.get(
    '/schema',
    guard('read', (c) => {
      const io = c.req.query('io') ?? 'output'
      if (io !== 'input' && io !== 'output') fail(400, 'BAD_REQUEST', 'io must be input or output')
      const schema = schemas.get(io) ?? configJsonSchema(store.schema, { io })
      schemas.set(io, schema)
      return jsonResponse(schema, 200, { 'content-type': 'application/schema+json' })
    }),
  )

  // Unauthenticated, for load balancers and orchestrators: whether the store is open and every adapter it cannot do
  // without (not marked `optional`) runs. It names the failed adapters, never their errors (`/status` has those).
  api.get('/health', () => {
    const { closed, adapters } = store.status()
    if (closed) return jsonResponse({ status: 'closed' }, 503)
    const failed = adapters.filter((a) => a.state === 'failed' && a.optional !== true).map((a) => a.name)
    return failed.length > 0
      ? jsonResponse({ status: 'failing', failed }, 503)
      : jsonResponse({ status: 'ok' })
  })

  api.get(
    '/metrics',
    guard('read', async (c) => {
      if (!metrics) fail(404, 'NOT_FOUND', 'metrics are turned off (metrics: false)')
      const { contentType, body } = await metrics.render()
      return c.body(body, 200, { 'content-type': contentType })
    }),
  )

  api.get(
    '/stream',
    guard('read', (c) => {
      const raw = c.req.header('last-event-id') ?? c.req.query('lastEventId')
      if (raw !== undefined && !/^\d{1,15}$/.test(raw))
        fail(400, 'BAD_REQUEST', 'Last-Event-ID must be a revision number')
      return streamChanges(c, store, {
        lastEventId: raw === undefined ? undefined : Number(raw),
        heartbeatMs,
        backlogBytes: streamBacklogBytes,
        streams,
      })
    }),
  )
}
