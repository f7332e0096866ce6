import { issue } from '../../errors.ts'
import { parseConfigPath } from './config-path.ts'
import { etagOf, noneMatch } from './etag.ts'
import { isJsonObject, jsonResponse, jsonTextResponse, toJson } from './json.ts'
import { fromMergePatch, type MergePatch } from './merge-patch.ts'
import type { AdminOperation } from './operation.ts'
import { fail, problemResponse } from './problem.ts'
import { readJson } from './read-body.ts'
import { plainWriteMeta } from './write-meta.ts'
import { redactChanges, resultResponse, statusOf, WRITE_OUTCOMES } from './write-result.ts'

/** A merge patch's media types: its own (RFC 7396) and plain JSON. */
const MERGE_PATCH = { 'application/merge-patch+json': 'MergePatch', 'application/json': 'MergePatch' }

/** `GET /`, `GET /values/{path}`, `PATCH /`, `PUT /values/{path}`, `POST /validate`. */
export const configOperations: readonly AdminOperation[] = [
  {
    method: 'get',
    path: '/',
    operationId: 'getConfig',
    role: 'read',
    summary: 'The current config, secrets redacted',
    parameters: ['IfNoneMatch'],
    responses: {
      200: { description: 'The config', content: { 'application/json': 'Config' }, headers: ['ETag'] },
      304: { description: 'Not modified since the ETag in If-None-Match', headers: ['ETag'] },
    },
    handler: ({ store }) => {
      // Configs are immutable, so the redacted JSON of one stays right until the next commit replaces it.
      let cache: { readonly config: unknown; readonly body: string } | undefined
      return (c) => {
        const etag = etagOf(store, store.revision)
        if (noneMatch(c.req.header('if-none-match'), etag)) return c.body(null, 304, { etag })
        const config = store.current
        if (cache?.config !== config) cache = { config, body: toJson(store.redact(config)) }
        return jsonTextResponse(cache.body, 200, { etag })
      }
    },
  },
  {
    method: 'get',
    path: '/values/{path}',
    operationId: 'getValue',
    role: 'read',
    summary: 'The value at a dotted config path, redacted',
    parameters: ['ConfigPath', 'IfNoneMatch'],
    responses: {
      200: { description: 'The value (any JSON)', content: { 'application/json': {} }, headers: ['ETag'] },
      304: { description: 'Not modified since the ETag in If-None-Match', headers: ['ETag'] },
    },
    problems: [400, 404],
    handler:
      ({ store }) =>
      (c) => {
        const path = parseConfigPath(c.req.param('path') ?? '')
        const etag = etagOf(store, store.revision)
        const value = store.get(path)
        if (value === undefined) fail(404, 'NOT_FOUND', `the config has no value at ${path}`)
        if (noneMatch(c.req.header('if-none-match'), etag)) return c.body(null, 304, { etag })
        return jsonResponse(store.redact(value, path), 200, { etag })
      },
  },
  {
    method: 'patch',
    path: '/',
    operationId: 'patchConfig',
    role: 'write',
    summary: 'Change the config with a JSON merge patch (RFC 7396)',
    description:
      'Objects merge, `null` deletes (a defaulted key returns to its default; a required one is rejected).',
    parameters: ['IfMatch', 'XReason', 'Ttl', 'Probation'],
    requestBody: { required: true, description: 'A merge patch of the config', content: MERGE_PATCH },
    ...WRITE_OUTCOMES,
    handler:
      ({ store }) =>
      async (c) => {
        const patch = mergePatchOf(await readJson(c, true))
        return resultResponse(store, await store.update(fromMergePatch(patch), plainWriteMeta(c, store)))
      },
  },
  {
    method: 'put',
    path: '/values/{path}',
    operationId: 'putValue',
    role: 'write',
    summary: 'Set the value at a dotted config path',
    parameters: ['ConfigPath', 'IfMatch', 'XReason', 'Ttl', 'Probation'],
    requestBody: {
      required: true,
      description: 'The new value (any JSON)',
      content: { 'application/json': {} },
    },
    ...WRITE_OUTCOMES,
    handler:
      ({ store }) =>
      async (c) => {
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
      },
  },
  // A dry run answers like the write would (200 or the same problem), so `curl -f` can gate a deploy on it.
  {
    method: 'post',
    path: '/validate',
    operationId: 'validateConfig',
    role: 'read',
    summary: 'Dry-run a merge patch: the changes it would make, or the problem the write would get',
    requestBody: { required: true, description: 'A merge patch of the config', content: MERGE_PATCH },
    responses: {
      200: { description: 'The patch would commit', content: { 'application/json': 'ValidateResult' } },
    },
    problems: WRITE_OUTCOMES.problems,
    handler:
      ({ store }) =>
      async (c) => {
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
      },
  },
]

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
