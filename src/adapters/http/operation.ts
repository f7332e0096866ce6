import type { AdminApi, AdminContext } from './admin-context.ts'
import { type AdminHandler, badOption } from './auth.ts'
import type { AdminRole } from './options.ts'

/** A JSON Schema (or any other OpenAPI object) as the document holds it. */
export type JsonObject = Readonly<Record<string, unknown>>

/** What the document says of one response: a component schema by name, or none (204, 304). */
export interface ResponseDoc {
  readonly description: string
  /** Media type → the name of a schema in `components.schemas`, or an inline schema. */
  readonly content?: Readonly<Record<string, string | JsonObject>>
  /** Names of `components.headers`; a trailing `?` makes one optional (e.g. `'ETag?'`). */
  readonly headers?: readonly string[]
  /** Extensions, e.g. `x-hotconf-events` on the event stream. */
  readonly extensions?: JsonObject
}

/** What the document says of a request body. */
export interface RequestBodyDoc {
  readonly required: boolean
  readonly description: string
  /** Media type → schema name or inline schema. */
  readonly content: Readonly<Record<string, string | JsonObject>>
}

/** The options that change which operations exist and what they answer. */
export interface OperationOptions {
  /** Whether `GET /metrics` is served. */
  readonly metrics: boolean
  /** Whether the admin console is served at `/ui/`. */
  readonly ui: boolean
}

/**
 * One route of the admin API: how it is documented and, beside it, how it is handled, so what is mounted and what
 * the OpenAPI document describes come from the same entry. Problems the guard, the body limit and the error
 * handler answer (401, 403, 413, 500) are added from `role` and `method`; `problems` lists the route's own.
 */
export interface AdminOperation {
  readonly method: 'get' | 'put' | 'patch' | 'post' | 'delete'
  /** Below `base`, with OpenAPI's `{param}` templates: `'/values/{path}'`. */
  readonly path: `/${string}`
  readonly operationId: string
  /** The role the caller needs; `'public'` routes take no token. */
  readonly role: AdminRole | 'public'
  readonly summary: string
  readonly description?: string
  /** Names of `components.parameters`, or inline parameter objects. */
  readonly parameters?: readonly (string | JsonObject)[]
  readonly requestBody?: RequestBodyDoc
  /** The responses that are not problems, by status. */
  readonly responses: Readonly<Record<number, ResponseDoc>>
  /** Statuses of the problems this route answers itself (`application/problem+json`). */
  readonly problems?: readonly number[]
  /** Response headers its problems may carry (names of `components.headers`, `?` for optional). */
  readonly problemHeaders?: Readonly<Record<number, readonly string[]>>
  /** Whether the route exists under these options. @default always */
  readonly enabled?: (options: OperationOptions) => boolean
  /** Makes the route's handler for one app; the guard for `role` is added around it. */
  readonly handler: (ctx: AdminContext) => AdminHandler
}

/**
 * Mounts each enabled operation on the app, behind the guard for its role. Hono answers `HEAD` for every `GET`
 * route, which the document describes too.
 */
export function mountOperations(
  api: AdminApi,
  operations: readonly AdminOperation[],
  ctx: AdminContext,
  options: OperationOptions,
): void {
  for (const op of operations) {
    if (op.enabled && !op.enabled(options)) continue
    const handler = op.handler(ctx)
    api.on(
      op.method.toUpperCase(),
      honoPath(op.path),
      op.role === 'public' ? handler : ctx.guard(op.role, handler),
    )
  }
}

/** `'/values/{path}'` → `'/values/:path'`. */
export function honoPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1')
}

/** `'/config/'` → `'/config'`; `'/'` stays. */
export function normalizeBase(base: string): string {
  return base.length > 1 ? base.replace(/\/+$/, '') : base
}

/** Throws `BAD_OPTIONS` unless `base` is a URL path starting with `/`. */
export function checkBase(base: string): void {
  if (!/^\/[A-Za-z0-9._~/-]*$/.test(base))
    badOption('base', `base must be a URL path starting with "/", got "${base}"`)
}
