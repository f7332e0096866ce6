import type { Context } from 'hono'
import { unsafeKeys } from './config-path.ts'
import { isJsonObject } from './json.ts'
import { fail } from './problem.ts'

/**
 * Reads a JSON body: 400 (`PARSE_ERROR`) when it is not valid UTF-8 (never decoded with U+FFFD in place of the
 * bad bytes, as files are not), 415 unless the content type is JSON (`application/json` or any `+json` type such as
 * `application/merge-patch+json`), 400 when it does not parse, holds a prototype key or nests too deep.
 * An empty body is `undefined` (400 when `required`), whatever its content type.
 */
export async function readJson(c: Context, required: boolean): Promise<unknown> {
  let text: string
  try {
    text = UTF8.decode(await c.req.arrayBuffer())
  } catch {
    fail(400, 'PARSE_ERROR', 'the body is not valid UTF-8')
  }
  if (text.trim() === '') {
    if (required) fail(400, 'BAD_REQUEST', 'this request needs a JSON body')
    return undefined
  }
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json' && !JSON_SUFFIX.test(type)) {
    fail(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `send JSON (Content-Type: application/json), not "${type.slice(0, 80)}"`,
    )
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    // Never echo the parser's message: it quotes the body, which may hold a secret.
    fail(400, 'PARSE_ERROR', 'the body is not valid JSON')
  }
  const unsafe = unsafeKeys(body)
  if (unsafe.length > 0) fail(400, unsafe[0]!.code, 'the body holds keys that are not allowed', unsafe)
  return body
}

/** Reads an optional JSON object body (an envelope such as `{ revision, reason }`); `{}` when empty. */
export async function readEnvelope(c: Context): Promise<Record<string, unknown>> {
  // No body is an empty envelope; a body of `null` is not an object, like any other non-object.
  const body = await readJson(c, false)
  if (body === undefined) return {}
  if (!isJsonObject(body)) fail(400, 'BAD_REQUEST', 'the body must be a JSON object')
  return body
}

// --- internal ---

const UTF8 = new TextDecoder('utf-8', { fatal: true })
const JSON_SUFFIX = /^application\/[a-z0-9.!#$&^_-]+\+json$/
