import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Change, ConfigIssue, ConfigIssueCode, UpdateResult } from '../../types.ts'
import type { AnyStore } from './admin-context.ts'
import { etagOf } from './etag.ts'
import { jsonResponse } from './json.ts'
import type { AdminOperation } from './operation.ts'
import { problemResponse } from './problem.ts'

/** What every write answers on success (200). */
export interface WriteResponse {
  readonly status: 'committed' | 'unchanged'
  readonly revision: number
  readonly changes: readonly Change[]
  /** The revision before this commit: `POST /rollback { revision: rollbackTo }` undoes it. */
  readonly rollbackTo?: number
  readonly pendingRestart?: readonly {
    readonly path: string
    readonly live: unknown
    readonly next: unknown
  }[]
}

/**
 * Maps an `UpdateResult` to HTTP: committed and unchanged 200; rejected 412 (stale revision), 404 (unknown
 * revision or snapshot), 503 (store closed), 409 (restart required) or 422 (invalid); rolled back 409, because a
 * participant refused the change in the live system's present state and the same request may succeed later.
 */
export function resultResponse(store: AnyStore, result: UpdateResult): Response {
  if (result.status === 'rejected' || result.status === 'rolledBack') {
    const [status, code] =
      result.status === 'rolledBack'
        ? ([409, result.errors[0]?.code ?? 'PARTICIPANT_FAILED'] as const)
        : statusOf(result.errors)
    const detail =
      result.status === 'rolledBack'
        ? 'the change was applied and rolled back: a participant refused it'
        : `the change was rejected: ${result.errors[0]?.message ?? code}`
    return problemResponse(status, code, detail, result.errors, { etag: etagOf(store, result.revision) })
  }
  const body: WriteResponse =
    result.status === 'committed'
      ? {
          status: 'committed',
          revision: result.revision,
          changes: redactChanges(store, result.changes),
          rollbackTo: result.revision - 1,
          ...(result.pendingRestart?.length
            ? {
                pendingRestart: result.pendingRestart.map((p) => ({
                  path: p.path,
                  live: store.redact(p.live, p.path),
                  next: store.redact(p.next, p.path),
                })),
              }
            : {}),
        }
      : { status: 'unchanged', revision: result.revision, changes: [] }
  return jsonResponse(body, 200, { etag: etagOf(store, result.revision) })
}

/**
 * What every write operation answers through `resultResponse`, for its entry in the operation table: 200 with the
 * result and the new ETag; the problems of a bad request or body and each status `resultResponse` maps to, which
 * carry the ETag of the live revision (a 412 for a foreign ETag does not).
 */
export const WRITE_OUTCOMES = {
  responses: {
    200: {
      description: 'Committed or unchanged',
      content: { 'application/json': 'WriteResult' },
      headers: ['ETag'],
    },
  },
  problems: [400, 404, 409, 412, 415, 422, 503],
  problemHeaders: { 404: ['ETag?'], 409: ['ETag?'], 412: ['ETag?'], 422: ['ETag?'], 503: ['ETag?'] },
} as const satisfies Pick<AdminOperation, 'responses' | 'problems' | 'problemHeaders'>

/** The HTTP status and problem code for a list of store issues (the most specific issue wins). */
export function statusOf(errors: readonly ConfigIssue[]): readonly [ContentfulStatusCode, ConfigIssueCode] {
  for (const [code, status] of PRECEDENCE) if (errors.some((e) => e.code === code)) return [status, code]
  return [422, errors[0]?.code ?? 'INVALID']
}

/** Change records with every secret value redacted (again: the HTTP layer never trusts that someone else did). */
export function redactChanges(store: AnyStore, changes: readonly Change[]): Change[] {
  return changes.map((c) => ({
    path: c.path,
    from: store.redact(c.from, c.path),
    to: store.redact(c.to, c.path),
  }))
}

// --- internal ---

const PRECEDENCE: readonly (readonly [ConfigIssueCode, ContentfulStatusCode])[] = [
  ['STALE_REVISION', 412],
  ['NOT_FOUND', 404],
  ['CLOSED', 503],
  ['RESTART_REQUIRED', 409],
]
