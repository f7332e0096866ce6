import type { Context } from 'hono'
import type { UpdateMeta, WriteMeta } from '../../types.ts'
import type { AnyStore } from './admin-context.ts'
import type { AdminEnv } from './auth.ts'
import { durationQuery } from './duration.ts'
import { ifMatchRevision } from './etag.ts'
import { fail } from './problem.ts'

/**
 * Who and why for a write: the token's name as actor, `reason` from the body envelope or the `X-Reason` header,
 * and the revision an `If-Match` ETag names as `expectedRevision` (`*` means any; an ETag of another process or
 * instance, or none of ours, is 412 before the store is asked). It sets no `source`: rollback, reset, import and
 * reload keep the one the store gives them (`'rollback'`, ...), as through the API; see `plainWriteMeta`.
 */
export function writeMeta(
  c: Context<AdminEnv>,
  store: AnyStore,
  envelope?: Record<string, unknown>,
): UpdateMeta {
  const reason = envelope?.reason ?? c.req.header('x-reason')
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON)) {
    fail(400, 'BAD_REQUEST', `reason must be a string of at most ${MAX_REASON} characters`)
  }
  const expectedRevision = ifMatchRevision(store, c.req.header('if-match'))
  return {
    actor: c.get('principal').name,
    ...(reason === undefined || reason === '' ? {} : { reason }),
    ...(expectedRevision === undefined ? {} : { expectedRevision }),
  }
}

/**
 * `writeMeta` for a plain update or set, whose source names the door it came through: `'http'` here, as
 * `store.update` records `'api'`; `?ttl=15m` makes the overrides it writes expire (`ttlMs`), `?probation=5m` puts
 * the change on probation.
 */
export function plainWriteMeta(c: Context<AdminEnv>, store: AnyStore): WriteMeta {
  const ttlMs = durationQuery('ttl', c.req.query('ttl'))
  const forMs = durationQuery('probation', c.req.query('probation'))
  return {
    ...writeMeta(c, store),
    source: 'http',
    ...(ttlMs === undefined ? {} : { ttlMs }),
    ...(forMs === undefined ? {} : { probation: { forMs } }),
  }
}

// --- internal ---

const MAX_REASON = 1000
