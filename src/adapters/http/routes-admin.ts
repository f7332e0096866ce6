import { allows } from './auth.ts'
import { parseConfigPath } from './config-path.ts'
import { etagOf } from './etag.ts'
import { isJsonObject, jsonResponse } from './json.ts'
import type { AdminOperation } from './operation.ts'
import { fail } from './problem.ts'
import { readEnvelope, readJson } from './read-body.ts'
import { writeMeta } from './write-meta.ts'
import { resultResponse, WRITE_OUTCOMES } from './write-result.ts'

/** `POST /reload`, `POST /reset`, `GET /export`, `POST /import`. */
export const adminOperations: readonly AdminOperation[] = [
  {
    method: 'post',
    path: '/reload',
    operationId: 'reload',
    role: 'write',
    summary: 'Re-read every source',
    parameters: ['IfMatch', 'XReason'],
    requestBody: { required: false, description: 'Why', content: { 'application/json': 'ReasonRequest' } },
    ...WRITE_OUTCOMES,
    handler:
      ({ store }) =>
      async (c) => {
        const body = await readEnvelope(c)
        return resultResponse(store, await store.reload(writeMeta(c, store, body)))
      },
  },
  {
    method: 'post',
    path: '/reset',
    operationId: 'reset',
    role: 'admin',
    summary: 'Drop runtime overrides, all of them or those under a path',
    parameters: ['IfMatch', 'XReason'],
    requestBody: {
      required: false,
      description: 'Which overrides, and why',
      content: { 'application/json': 'ResetRequest' },
    },
    ...WRITE_OUTCOMES,
    handler:
      ({ store }) =>
      async (c) => {
        const body = await readEnvelope(c)
        if (body.path !== undefined && typeof body.path !== 'string')
          fail(400, 'BAD_REQUEST', 'path must be a dotted config path')
        const path = body.path === undefined ? undefined : parseConfigPath(body.path)
        return resultResponse(store, await store.reset(path, writeMeta(c, store, body)))
      },
  },
  {
    method: 'get',
    path: '/export',
    operationId: 'exportConfig',
    role: 'read',
    summary: 'The config as an export document, redacted unless includeSecrets (admin)',
    parameters: [
      {
        name: 'includeSecrets',
        in: 'query',
        description: 'Export the secrets too; needs the admin role',
        schema: { type: 'boolean', default: false },
      },
    ],
    responses: {
      200: {
        description: 'The export document',
        content: { 'application/json': 'ExportDocument' },
        headers: ['ETag', 'Cache-Control'],
      },
    },
    problems: [400, 403],
    handler:
      ({ store }) =>
      (c) => {
        const includeSecrets = flagOf(c.req.query('includeSecrets'))
        if (includeSecrets && !allows(c.get('principal').role, 'admin')) {
          fail(403, 'FORBIDDEN', 'exporting secrets needs the admin role')
        }
        const doc = store.export({ includeSecrets })
        const body = includeSecrets ? doc : { ...doc, config: store.redact(doc.config) }
        return jsonResponse(body, 200, { etag: etagOf(store, doc.revision), 'cache-control': 'no-store' })
      },
  },
  // An export without secrets holds '[redacted]' placeholders; the store keeps the live secrets for those.
  {
    method: 'post',
    path: '/import',
    operationId: 'importConfig',
    role: 'admin',
    summary: 'Replace the runtime config with an export document',
    parameters: ['IfMatch', 'XReason'],
    requestBody: {
      required: true,
      description: 'An export document',
      content: { 'application/json': 'ImportRequest' },
    },
    ...WRITE_OUTCOMES,
    handler:
      ({ store }) =>
      async (c) => {
        const body = await readJson(c, true)
        const doc = body as { config?: unknown; reason?: unknown }
        if (!isJsonObject(body) || !isJsonObject(doc.config)) {
          fail(400, 'BAD_REQUEST', 'send an export document: { "config": { ... } }')
        }
        return resultResponse(
          store,
          await store.import({ config: doc.config }, writeMeta(c, store, doc as Record<string, unknown>)),
        )
      },
  },
]

// --- internal ---

function flagOf(raw: string | undefined): boolean {
  if (raw === undefined || raw === 'false' || raw === '0') return false
  if (raw === 'true' || raw === '1' || raw === '') return true
  return fail(400, 'BAD_REQUEST', 'includeSecrets must be true or false')
}
