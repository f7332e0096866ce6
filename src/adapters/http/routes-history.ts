import { jsonResponse } from './json.ts'
import type { AdminOperation } from './operation.ts'
import { fail } from './problem.ts'
import { readEnvelope } from './read-body.ts'
import { writeMeta } from './write-meta.ts'
import { redactChanges, resultResponse, WRITE_OUTCOMES } from './write-result.ts'

/** `GET /history`, `GET /events`, snapshots (list, get, create, delete) and `POST /rollback`. */
export const historyOperations: readonly AdminOperation[] = [
  {
    method: 'get',
    path: '/history',
    operationId: 'getHistory',
    role: 'read',
    summary: 'Committed transactions, newest first',
    parameters: ['Limit'],
    responses: {
      200: { description: 'History entries', content: { 'application/json': list('HistoryEntry') } },
    },
    problems: [400],
    handler:
      ({ store }) =>
      (c) => {
        const entries = store.history(limitOf(c.req.query('limit')))
        return jsonResponse(entries.map((e) => ({ ...e, changes: redactChanges(store, e.changes) })))
      },
  },
  {
    method: 'get',
    path: '/events',
    operationId: 'getEvents',
    role: 'read',
    summary: 'Every transaction outcome, rejected and rolled back ones too, newest first',
    parameters: ['Limit'],
    responses: {
      200: { description: 'Transaction records', content: { 'application/json': list('TransactionRecord') } },
    },
    problems: [400],
    handler:
      ({ store }) =>
      (c) => {
        const records = store.events(limitOf(c.req.query('limit')))
        return jsonResponse(
          records.map((r) => ({
            ...r,
            changes: redactChanges(store, r.changes),
            errors: r.errors.map((e) => ({ path: e.path, code: e.code, message: e.message })),
          })),
        )
      },
  },
  {
    method: 'get',
    path: '/snapshots',
    operationId: 'listSnapshots',
    role: 'read',
    summary: 'Pinned snapshots',
    parameters: [
      { name: 'tag', in: 'query', description: 'Only snapshots with this tag', schema: { type: 'string' } },
    ],
    responses: { 200: { description: 'Snapshots', content: { 'application/json': list('Snapshot') } } },
    handler:
      ({ store }) =>
      (c) => {
        const tag = c.req.query('tag')
        return jsonResponse(store.snapshots(tag === undefined ? {} : { tag }))
      },
  },
  {
    method: 'get',
    path: '/snapshots/{id}',
    operationId: 'getSnapshot',
    role: 'read',
    summary: 'One snapshot',
    parameters: ['SnapshotId'],
    responses: { 200: { description: 'The snapshot', content: { 'application/json': 'Snapshot' } } },
    problems: [404],
    handler:
      ({ store }) =>
      (c) => {
        const id = c.req.param('id') ?? ''
        const found = store.snapshots().find((s) => s.id === id)
        if (!found) fail(404, 'NOT_FOUND', `no snapshot "${id.slice(0, 80)}"`)
        return jsonResponse(found)
      },
  },
  {
    method: 'post',
    path: '/snapshots',
    operationId: 'createSnapshot',
    role: 'write',
    summary: 'Pin the current revision',
    requestBody: {
      required: false,
      description: 'Label and tags',
      content: { 'application/json': 'SnapshotRequest' },
    },
    responses: {
      201: { description: 'Pinned', content: { 'application/json': 'Snapshot' }, headers: ['Location'] },
    },
    problems: [400, 415],
    handler:
      ({ store }) =>
      async (c) => {
        const body = await readEnvelope(c)
        const { label, tags } = body
        if (label !== undefined && (typeof label !== 'string' || label.length > 200)) {
          fail(400, 'BAD_REQUEST', 'label must be a string of at most 200 characters')
        }
        if (
          tags !== undefined &&
          (!Array.isArray(tags) || tags.length > 50 || !tags.every((t) => typeof t === 'string'))
        ) {
          fail(400, 'BAD_REQUEST', 'tags must be an array of at most 50 strings')
        }
        const snapshot = await store.snapshot({
          ...(label === undefined ? {} : { label: label as string }),
          ...(tags === undefined ? {} : { tags: tags as string[] }),
        })
        return jsonResponse(snapshot, 201, { location: `${c.req.path}/${encodeURIComponent(snapshot.id)}` })
      },
  },
  {
    method: 'delete',
    path: '/snapshots/{id}',
    operationId: 'deleteSnapshot',
    role: 'write',
    summary: 'Unpin a snapshot',
    parameters: ['SnapshotId'],
    responses: { 204: { description: 'Unpinned' } },
    problems: [404],
    handler:
      ({ store }) =>
      async (c) => {
        const id = c.req.param('id') ?? ''
        if (!(await store.deleteSnapshot(id))) fail(404, 'NOT_FOUND', `no snapshot "${id.slice(0, 80)}"`)
        return c.body(null, 204)
      },
  },
  {
    method: 'post',
    path: '/rollback',
    operationId: 'rollback',
    role: 'admin',
    summary: 'Roll back to a revision or a snapshot, as a new transaction',
    parameters: ['IfMatch', 'XReason'],
    requestBody: {
      required: true,
      description: 'The target',
      content: { 'application/json': 'RollbackRequest' },
    },
    ...WRITE_OUTCOMES,
    handler:
      ({ store }) =>
      async (c) => {
        const body = await readEnvelope(c)
        const { revision, snapshot } = body
        const byRevision = Number.isSafeInteger(revision) && (revision as number) >= 1
        const bySnapshot = typeof snapshot === 'string' && snapshot !== ''
        if (byRevision === bySnapshot || (revision !== undefined && snapshot !== undefined)) {
          fail(400, 'BAD_REQUEST', 'send either { "revision": <integer >= 1> } or { "snapshot": "<id>" }')
        }
        const target = byRevision ? (revision as number) : (snapshot as string)
        return resultResponse(store, await store.rollback(target, writeMeta(c, store, body)))
      },
  },
]

/** `?limit=` as a positive integer; absent means everything retained. */
export function limitOf(raw: string | undefined): { limit?: number } {
  if (raw === undefined) return {}
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1)
    fail(400, 'BAD_REQUEST', 'limit must be an integer from 1 to 999999')
  return { limit: Number(raw) }
}

// --- internal ---

function list(item: string): Readonly<Record<string, unknown>> {
  return { type: 'array', items: { $ref: `#/components/schemas/${item}` } }
}
