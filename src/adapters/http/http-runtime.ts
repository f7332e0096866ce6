/** The runtime exports of `hotconf/http`; `index.ts` loads this file dynamically so a missing hono is explained. */
export { createAdminApp } from './create-admin-app.ts'
export { fromMergePatch } from './merge-patch.ts'
export { adminOpenApi } from './openapi.ts'
export { serveAdmin } from './serve-admin.ts'
