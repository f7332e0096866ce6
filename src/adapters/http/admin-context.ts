import type { Hono } from 'hono'
import type { ConfigStore } from '../../types.ts'
import type { AdminEnv, Guard } from './auth.ts'
import type { AdminMetrics } from './metrics.ts'
import type { StreamRegistry } from './stream-registry.ts'

/** The store as the routes see it: paths are checked strings, values are JSON, whatever the schema's type. */
export type AnyStore = ConfigStore<Record<string, unknown>>

/** The admin app's Hono type. */
export type AdminApi = Hono<AdminEnv>

/** What every route module gets. */
export interface AdminContext {
  readonly store: AnyStore
  readonly guard: Guard
  readonly metrics: AdminMetrics | undefined
  readonly heartbeatMs: number
  readonly streamBacklogBytes: number
  readonly streams: StreamRegistry
  /** The app's OpenAPI document, built on first use (`GET /openapi.json`). */
  readonly openApi: () => Record<string, unknown>
}
