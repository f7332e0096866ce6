import { issue } from '../../errors.ts'
import type { AdminApi, AdminContext } from './admin-context.ts'
import { parseConfigPath } from './config-path.ts'
import { etagOf, noneMatch } from './etag.ts'
import { isJsonObject, jsonResponse, jsonTextResponse, toJson } from './json.ts'
import { fromMergePatch, type MergePatch } from './merge-patch.ts'
import { fail, problemResponse } from './problem.ts'
import { readJson } from './read-body.ts'
import { plainWriteMeta } from './write-meta.ts'
import { redactChanges, resultResponse, statusOf } from './write-result.ts'

/** `GET /`, `GET /values/{path}`, `PATCH /`, `PUT /values/{path}`, `POST /validate`. */
export function configRoutes(api: AdminApi, { store, guard }: AdminContext): void {
  // Configs are immutable, so the redacted JSON of one stays right until the next commit replaces it.
  let cache: { readonly config: unknown; readonly body: string } | undefined

  api.get(
    '/',
    guard('read', (c) => {
      const etag = etagOf(store, store.revision)
      if (noneMatch(c.req.header('if-none-match'), etag)) return c.body(null, 304, { etag })
      const config = store.current
      if (cache?.config !== config) cache = { config, body: toJson(store.redact(config)) }
      return jsonTextResponse(cache.body, 200, { etag })
    }),
  )

  api.get(
    '/values/:path',
    guard('read', (c) => {
      const path = parseConfigPath(c.req.param('path') ?? '')
      const etag = etagOf(store, store.revision)
      const value = store.get(path)
      if (value === undefined) fail(404, 'NOT_FOUND', `the config has no value at ${path}`)
      if (noneMatch(c.req.header('if-none-match'), etag)) return c.body(null, 304, { etag })
      return jsonResponse(store.redact(value, path), 200, { etag })
    }),
  )

  api.patch(
    '/',
    guard('write', async (c) => {
      const patch = mergePatchOf(await readJson(c, true))
      return resultResponse(store, await store.update(fromMergePatch(patch), plainWriteMeta(c, store)))
    }),
  )

  api.put(
    '/values/:path',
    guard('write', async (c) => {
      const path = parseConfigPath(c.req.param('path') ?? '')
      const value = await readJson(c, true)
      const result = await store.set(path, value, plainWriteMeta(c, store))
      // A key the schema does not know, named by the URL itself, is a missing resource rather than a bad value.
      if (
        result.status === 'rejected' &&
        result.errors.some((e) => e.code === 'UNKNOWN_KEY' && isWithin(path, e.path))
      ) {
        return problemResponse(404, 'NOT_FOUND', `the schema has no key ${path}`, result.errors)
      }
      return resultResponse(store, result)
    }),
  )

  // A dry run answers like the write would (200 or the same problem), so `curl -f` can gate a deploy on it.
  api.post(
    '/validate',
    guard('read', async (c) => {
      const patch = mergePatchOf(await readJson(c, true))
      const result = await store.validate(fromMergePatch(patch))
      if (result.ok) return jsonResponse({ ok: true, changes: redactChanges(store, result.changes) })
      const [status, code] = statusOf(result.errors)
      return problemResponse(
        status,
        code,
        `the change would be rejected: ${result.errors[0]?.message ?? code}`,
        result.errors,
      )
    }),
  )
}

// --- internal ---

function mergePatchOf(body: unknown): MergePatch {
  if (!isJsonObject(body)) {
    fail(422, 'INVALID', 'a merge patch of the config must be a JSON object', [
      issue('INVALID', '', 'the config is an object: a patch that is not one would replace it whole'),
    ])
  }
  return body
}

function isWithin(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`)
}
