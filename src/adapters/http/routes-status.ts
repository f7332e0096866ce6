import { configJsonSchema } from '../../adapter-kit.ts'
import { jsonResponse } from './json.ts'
import type { AdminOperation } from './operation.ts'
import { fail } from './problem.ts'
import { streamChanges } from './sse.ts'

/** `GET /status`, `GET /schema`, `GET /health`, `GET /metrics`, `GET /stream`, `GET /openapi.json`. */
export const statusOperations: readonly AdminOperation[] = [
  {
    method: 'get',
    path: '/status',
    operationId: 'getStatus',
    role: 'read',
    summary: 'Revision, environment, pending restarts, adapters, sources and recent warnings',
    responses: { 200: { description: 'The store status', content: { 'application/json': 'Status' } } },
    handler:
      ({ store }) =>
      () => {
        const status = store.status()
        return jsonResponse({
          ...status,
          pendingRestart: status.pendingRestart.map((p) => ({
            path: p.path,
            live: store.redact(p.live, p.path),
            next: store.redact(p.next, p.path),
          })),
        })
      },
  },
  {
    method: 'get',
    path: '/schema',
    operationId: 'getSchema',
    role: 'read',
    summary: 'The JSON Schema of the config (secrets writeOnly, restart keys marked x-hotconf-restart)',
    parameters: [
      {
        name: 'io',
        in: 'query',
        description: '`output`: the config as read; `input`: what may be written',
        schema: { type: 'string', enum: ['output', 'input'], default: 'output' },
      },
    ],
    responses: {
      200: {
        description: 'A JSON Schema (draft 2020-12)',
        content: { 'application/schema+json': { type: 'object', additionalProperties: true } },
      },
    },
    problems: [400],
    handler: ({ store }) => {
      // The schema never changes: convert it once per shape asked for.
      const schemas = new Map<'input' | 'output', Record<string, unknown>>()
      return (c) => {
        const io = c.req.query('io') ?? 'output'
        if (io !== 'input' && io !== 'output') fail(400, 'BAD_REQUEST', 'io must be input or output')
        const schema = schemas.get(io) ?? configJsonSchema(store.schema, { io })
        schemas.set(io, schema)
        return jsonResponse(schema, 200, { 'content-type': 'application/schema+json' })
      }
    },
  },
  // Unauthenticated, for load balancers and orchestrators: whether the store is open and every adapter it cannot do
  // without (not marked `optional`) runs. It names the failed adapters, never their errors (`/status` has those).
  {
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    role: 'public',
    summary: 'Whether the store is open and every adapter it needs runs (no token needed)',
    responses: {
      200: { description: 'Healthy', content: { 'application/json': 'Health' } },
      503: {
        description: 'Closed, or an adapter not marked optional has failed',
        content: { 'application/json': 'Health' },
      },
    },
    handler:
      ({ store }) =>
      () => {
        const { closed, adapters } = store.status()
        if (closed) return jsonResponse({ status: 'closed' }, 503)
        const failed = adapters.filter((a) => a.state === 'failed' && a.optional !== true).map((a) => a.name)
        return failed.length > 0
          ? jsonResponse({ status: 'failing', failed }, 503)
          : jsonResponse({ status: 'ok' })
      },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    role: 'read',
    summary: 'Prometheus metrics (text exposition format)',
    responses: { 200: { description: 'The metrics', content: { 'text/plain': { type: 'string' } } } },
    problems: [501],
    enabled: ({ metrics }) => metrics,
    handler:
      ({ metrics }) =>
      async (c) => {
        // Mounted only when metrics are on (`enabled`).
        const { contentType, body } = await metrics!.render()
        return c.body(body, 200, { 'content-type': contentType })
      },
  },
  {
    method: 'get',
    path: '/stream',
    operationId: 'streamChanges',
    role: 'read',
    summary: 'Server-Sent Events: `ready`, then a `change` per commit (id = revision), or `resync`',
    parameters: [
      'LastEventId',
      {
        name: 'lastEventId',
        in: 'query',
        description: 'Last-Event-ID for clients that cannot set headers',
        schema: { type: 'string', pattern: '^\\d{1,15}$' },
      },
    ],
    responses: {
      200: {
        description: "The event stream; each event's `data` is JSON of the schema `x-hotconf-events` names",
        content: { 'text/event-stream': { type: 'string' } },
        headers: ['Cache-Control'],
        extensions: {
          'x-hotconf-events': {
            change: { $ref: '#/components/schemas/HistoryEntry' },
            ready: { $ref: '#/components/schemas/StreamReady' },
            resync: { $ref: '#/components/schemas/StreamResync' },
          },
        },
      },
    },
    problems: [400, 503],
    problemHeaders: { 503: ['Retry-After'] },
    handler:
      ({ store, heartbeatMs, streamBacklogBytes, streams }) =>
      (c) => {
        const raw = c.req.header('last-event-id') ?? c.req.query('lastEventId')
        if (raw !== undefined && !/^\d{1,15}$/.test(raw))
          fail(400, 'BAD_REQUEST', 'Last-Event-ID must be a revision number')
        return streamChanges(c, store, {
          lastEventId: raw === undefined ? undefined : Number(raw),
          heartbeatMs,
          backlogBytes: streamBacklogBytes,
          streams,
        })
      },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    role: 'read',
    summary: 'This OpenAPI 3.1 document',
    responses: {
      200: {
        description: 'The OpenAPI document',
        content: { 'application/json': { type: 'object', additionalProperties: true } },
      },
    },
    handler:
      ({ openApi }) =>
      () =>
        jsonResponse(openApi()),
  },
]
