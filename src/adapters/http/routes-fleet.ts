import { ConfigError } from '../../errors.ts'
import type { AdminApi, AdminContext } from './admin-context.ts'
import { jsonResponse } from './json.ts'
import { fail } from './problem.ts'

/** `GET /fleet`: `store.fleet()`, the instances on the store's shared backend and who took the last change. */
export function fleetRoutes(api: AdminApi, { store, guard }: AdminContext): void {
  api.get(
    '/fleet',
    guard('read', async () => {
      try {
        return jsonResponse(await store.fleet(), 200, { 'cache-control': 'no-store' })
      } catch (error) {
        if (error instanceof ConfigError && error.code === 'NOT_FOUND')
          fail(501, 'NOT_IMPLEMENTED', error.message)
        // Not the backend's message: a driver error may quote the connection string.
        fail(503, 'ADAPTER_FAILED', 'the shared backend could not be read; GET /status shows the adapters')
      }
    }),
  )
}
