import { ConfigError } from '../../errors.ts'
import { jsonResponse } from './json.ts'
import type { AdminOperation } from './operation.ts'
import { fail } from './problem.ts'

/** `GET /fleet`: `store.fleet()`, the instances on the store's shared backend and who took the last change. */
export const fleetOperations: readonly AdminOperation[] = [
  {
    method: 'get',
    path: '/fleet',
    operationId: 'getFleet',
    role: 'read',
    summary: 'The live instances on the shared backend (etcd, PostgreSQL) and who took the last change',
    responses: {
      200: {
        description: 'The fleet view',
        content: { 'application/json': 'FleetView' },
        headers: ['Cache-Control'],
      },
    },
    problems: [501, 503],
    handler:
      ({ store }) =>
      async () => {
        try {
          return jsonResponse(await store.fleet(), 200, { 'cache-control': 'no-store' })
        } catch (error) {
          if (error instanceof ConfigError && error.code === 'NOT_FOUND')
            fail(501, 'NOT_IMPLEMENTED', error.message)
          // Not the backend's message: a driver error may quote the connection string.
          fail(503, 'ADAPTER_FAILED', 'the shared backend could not be read; GET /status shows the adapters')
        }
      },
  },
]
