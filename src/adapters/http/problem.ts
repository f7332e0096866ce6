import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ConfigIssue, ConfigIssueCode } from '../../types.ts'

/** Codes of problems that come from HTTP itself rather than from the store. */
export type HttpProblemCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_IMPLEMENTED'
  | 'TOO_MANY_STREAMS'
  | 'INTERNAL'

/** Every `code` an error response can carry. */
export type ProblemCode = ConfigIssueCode | HttpProblemCode

/** Every `ProblemCode`, for the OpenAPI document; `satisfies` makes a new code a compile error here until listed. */
export const PROBLEM_CODES = Object.keys({
  INVALID: true,
  UNKNOWN_KEY: true,
  FORBIDDEN_KEY: true,
  RESTART_REQUIRED: true,
  STALE_REVISION: true,
  PARTICIPANT_FAILED: true,
  PARTICIPANT_TIMEOUT: true,
  PERSIST_FAILED: true,
  PARSE_ERROR: true,
  SOURCE_MISSING: true,
  SOURCE_FAILED: true,
  SOURCE_TIMEOUT: true,
  NOT_FOUND: true,
  CLOSED: true,
  REENTRANT: true,
  BAD_OPTIONS: true,
  MISSING_DEPENDENCY: true,
  ADAPTER_FAILED: true,
  BAD_REQUEST: true,
  UNAUTHORIZED: true,
  FORBIDDEN: true,
  PAYLOAD_TOO_LARGE: true,
  UNSUPPORTED_MEDIA_TYPE: true,
  NOT_IMPLEMENTED: true,
  TOO_MANY_STREAMS: true,
  INTERNAL: true,
} satisfies Record<ProblemCode, true>) as ProblemCode[]

/** An RFC 9457 problem document, as every error response carries it (`application/problem+json`). */
export interface Problem {
  /** A URI naming the kind of problem: `urn:hotconf:problem:<code in kebab case>`. */
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly code: ProblemCode
  /** One entry per issue; secret values never appear in messages. */
  readonly errors: readonly { readonly path: string; readonly code: string; readonly message: string }[]
}

/** Builds the problem response. `headers` adds e.g. `WWW-Authenticate`. */
export function problemResponse(
  status: ContentfulStatusCode,
  code: ProblemCode,
  detail: string,
  issues: readonly ConfigIssue[] = [],
  headers: Record<string, string> = {},
): Response {
  const body: Problem = {
    type: `urn:hotconf:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: problemTitle(status),
    status,
    detail,
    code,
    // Only these three fields: a zod issue may carry the rejected input, which can be a secret.
    errors: issues.map((i) => ({ path: i.path, code: i.code, message: i.message })),
  }
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  })
}

/** Throws a problem out of a helper; the app's error handler answers with it. */
export function fail(
  status: ContentfulStatusCode,
  code: ProblemCode,
  detail: string,
  issues: readonly ConfigIssue[] = [],
  headers: Record<string, string> = {},
): never {
  throw new HTTPException(status, { res: problemResponse(status, code, detail, issues, headers) })
}

/** The title of a problem with this status, as its responses carry it. */
export function problemTitle(status: number): string {
  return TITLES[status] ?? 'Error'
}

// --- internal ---

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
}
