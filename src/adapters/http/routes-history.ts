import type { AdminApi, AdminContext } from './admin-context.ts'
import { jsonResponse } from './json.ts'
import { fail } from './problem.ts'
import { readEnvelope } from './read-body.ts'
import { writeMeta } from './write-meta.ts'
import { redactChanges, resultResponse } from './write-result.ts'

/** `GET /history`, `GET /events`, snapshots (list, get, create, delete) and `POST /rollback`. */
export function historyRoutes(api: AdminApi, { store, guard }: AdminContext): void {
  api.get(
    '/history',
    guard('read', (c) => {
      const entries = store.history(limitOf(c.req.query('limit')))
      return jsonResponse(entries.map((e) => ({ ...e, changes: redactChanges(store, e.changes) })))
    }),
  )

  api.get(
    '/events',
    guard('read', (c) => {
      const records = store.events(limitOf(c.req.query('limit')))
      return jsonResponse(
        records.map((r) => ({
          ...r,
          changes: redactChanges(store, r.changes),
          errors: r.errors.map((e) => ({ path: e.path, code: e.code, message: e.message })),
        })),
      )
    }),
  )

  api.get(
    '/snapshots',
    guard('read', (c) => {
      const tag = c.req.query('tag')
      return jsonResponse(store.snapshots(tag === undefined ? {} : { tag }))
    }),
  )

  api.get(
    '/snapshots/:id',
    guard('read', (c) => {
      const id = c.req.param('id') ?? ''
      const found = store.snapshots().find((s) => s.id === id)
      if (!found) fail(404, 'NOT_FOUND', `no snapshot "${id.slice(0, 80)}"`)
      return jsonResponse(found)
    }),
  )

  api.post(
    '/snapshots',
    guard('write', async (c) => {
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
    }),
  )

  api.delete(
    '/snapshots/:id',
    guard('write', async (c) => {
      const id = c.req.param('id') ?? ''
      if (!(await store.deleteSnapshot(id))) fail(404, 'NOT_FOUND', `no snapshot "${id.slice(0, 80)}"`)
      return c.body(null, 204)
    }),
  )

  api.post(
    '/rollback',
    guard('admin', async (c) => {
      const body = await readEnvelope(c)
      const { revision, snapshot } = body
      const byRevision = Number.isSafeInteger(revision) && (revision as number) >= 1
      const bySnapshot = typeof snapshot === 'string' && snapshot !== ''
      if (byRevision === bySnapshot || (revision !== undefined && snapshot !== undefined)) {
        fail(400, 'BAD_REQUEST', 'send either { "revision": <integer >= 1> } or { "snapshot": "<id>" }')
      }
      const target = byRevision ? (revision as number) : (snapshot as string)
      return resultResponse(store, await store.rollback(target, writeMeta(c, store, body)))
    }),
  )
}

/** `?limit=` as a positive integer; absent means everything retained. */
export function limitOf(raw: string | undefined): { limit?: number } {
  if (raw === undefined) return {}
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1)
    fail(400, 'BAD_REQUEST', 'limit must be an integer from 1 to 999999')
  return { limit: Number(raw) }
}
