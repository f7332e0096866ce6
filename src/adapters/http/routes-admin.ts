import type { AdminApi, AdminContext } from './admin-context.ts'
import { allows } from './auth.ts'
import { parseConfigPath } from './config-path.ts'
import { etagOf } from './etag.ts'
import { isJsonObject, jsonResponse } from './json.ts'
import { fail } from './problem.ts'
import { readEnvelope, readJson } from './read-body.ts'
import { writeMeta } from './write-meta.ts'
import { resultResponse } from './write-result.ts'

/** `POST /reload`, `POST /reset`, `GET /export`, `POST /import`. */
export function adminRoutes(api: AdminApi, { store, guard }: AdminContext): void {
  api.post(
    '/reload',
    guard('write', async (c) => {
      const body = await readEnvelope(c)
      return resultResponse(store, await store.reload(writeMeta(c, store, body)))
    }),
  )

  api.post(
    '/reset',
    guard('admin', async (c) => {
      const body = await readEnvelope(c)
      if (body.path !== undefined && typeof body.path !== 'string')
        fail(400, 'BAD_REQUEST', 'path must be a dotted config path')
      const path = body.path === undefined ? undefined : parseConfigPath(body.path)
      return resultResponse(store, await store.reset(path, writeMeta(c, store, body)))
    }),
  )

  api.get(
    '/export',
    guard('read', (c) => {
      const includeSecrets = flagOf(c.req.query('includeSecrets'))
      if (includeSecrets && !allows(c.get('principal').role, 'admin')) {
        fail(403, 'FORBIDDEN', 'exporting secrets needs the admin role')
      }
      const doc = store.export({ includeSecrets })
      const body = includeSecrets ? doc : { ...doc, config: store.redact(doc.config) }
      return jsonResponse(body, 200, { etag: etagOf(store, doc.revision), 'cache-control': 'no-store' })
    }),
  )

  // An export without secrets holds '[redacted]' placeholders; the store keeps the live secrets for those.
  api.post(
    '/import',
    guard('admin', async (c) => {
      const body = await readJson(c, true)
      const doc = body as { config?: unknown; reason?: unknown }
      if (!isJsonObject(body) || !isJsonObject(doc.config)) {
        fail(400, 'BAD_REQUEST', 'send an export document: { "config": { ... } }')
      }
      return resultResponse(
        store,
        await store.import({ config: doc.config }, writeMeta(c, store, doc as Record<string, unknown>)),
      )
    }),
  )
}

// --- internal ---

function flagOf(raw: string | undefined): boolean {
  if (raw === undefined || raw === 'false' || raw === '0') return false
  if (raw === 'true' || raw === '1' || raw === '') return true
  return fail(400, 'BAD_REQUEST', 'includeSecrets must be true or false')
}
