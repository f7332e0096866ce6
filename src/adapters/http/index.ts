import { importOptional } from '../../adapter-kit.ts'

export type { AdminEnv, Principal } from './auth.ts'
export type { AdminApp } from './create-admin-app.ts'
export type { MergePatch } from './merge-patch.ts'
export type { AdminOpenApiOptions, OpenApiDocument } from './openapi.ts'
export type {
  AdminAddress,
  AdminAppOptions,
  AdminAuth,
  AdminRole,
  AdminToken,
  ServeAdminOptions,
} from './options.ts'
export type { HttpProblemCode, Problem, ProblemCode } from './problem.ts'
export type { WriteResponse } from './write-result.ts'

// A static import of hono would fail at link time with a bare ERR_MODULE_NOT_FOUND, before any code could explain it.
const http = await importOptional(() => import('./http-runtime.ts'), 'hotconf/http', [
  'hono',
  '@hono/node-server',
])

/** The admin API as a Hono app (see `create-admin-app.ts`). */
export const createAdminApp: typeof http.createAdminApp = http.createAdminApp
/** The admin API's OpenAPI 3.1 document (see `openapi.ts`). */
export const adminOpenApi: typeof http.adminOpenApi = http.adminOpenApi
/** A JSON merge patch as a deep-partial patch for `store.update` (see `merge-patch.ts`). */
export const fromMergePatch: typeof http.fromMergePatch = http.fromMergePatch
/** The admin API served on Node (see `serve-admin.ts`). */
export const serveAdmin: typeof http.serveAdmin = http.serveAdmin
