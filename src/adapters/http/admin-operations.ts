import type { AdminOperation } from './operation.ts'
import { adminOperations } from './routes-admin.ts'
import { configOperations } from './routes-config.ts'
import { consoleOperations } from './routes-console.ts'
import { fleetOperations } from './routes-fleet.ts'
import { historyOperations } from './routes-history.ts'
import { probationOperations } from './routes-probation.ts'
import { statusOperations } from './routes-status.ts'
import { uiOperations } from './routes-ui.ts'

/** Every route of the admin API, in the order the app mounts them and the document lists them. */
export const ADMIN_OPERATIONS: readonly AdminOperation[] = [
  ...configOperations,
  ...historyOperations,
  ...probationOperations,
  ...adminOperations,
  ...statusOperations,
  ...fleetOperations,
  ...consoleOperations,
  ...uiOperations,
]
