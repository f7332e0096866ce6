import type { Context } from 'hono'
import type { UpdateMeta } from '../../types.ts'
import type { AdminEnv } from './auth.ts'
import { fail } from './problem.ts'

/**
 * Who and why for a write: the token's name as actor, `reason` from the body envelope or the `X-Reason` header,
 * and `If-Match: "<revision>"` as `expectedRevision` (`*` means any). An `If-Match` that names no revision can
 * never match: 412 before the store is asked.
 */
export function writeMeta(c: Context<AdminEnv>, envelope?: Record<string, unknown>): UpdateMeta {
  const reason = envelope?.reason ?? c.req.header('x-reason')
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON)) {
    fail(400, 'BAD_REQUEST', `reason must be a string of at most ${MAX_REASON} characters`)
  }
  const expectedRevision = parseIfMatch(c.req.header('if-match'))
  return {
    actor: c.get('principal').name,
    source: 'http',
    ...(reason === undefined || reason === '' ? {} : { reason }),
    ...(expectedRevision === undefined ? {} : { expectedRevision }),
  }
}

/** The strong ETag of a revision. */
export function etagOf(revision: number): string {
  return `"${revision}"`
}

// --- internal ---

const MAX_REASON = 1000

function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined
  const match = /^\s*"(\d{1,15})"\s*$/.exec(header)
  if (!match) fail(412, 'STALE_REVISION', `If-Match ${header.slice(0, 40)} names no revision of this config`)
  return Number(match[1])
}
