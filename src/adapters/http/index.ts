export type { AdminEnv, Principal } from './auth.ts'
export { type AdminApp, createAdminApp } from './create-admin-app.ts'
export { fromMergePatch, type MergePatch } from './merge-patch.ts'
export type {
  AdminAddress,
  AdminAppOptions,
  AdminAuth,
  AdminRole,
  AdminToken,
  ServeAdminOptions,
} from './options.ts'
export type { HttpProblemCode, Problem, ProblemCode } from './problem.ts'
export { serveAdmin } from './serve-admin.ts'
export type { WriteResponse } from './write-result.ts'
