import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { ConfigError, issue } from '../../errors.ts'

/** Options of a cluster's fleet status: how each instance names itself and how often it reports. */
export interface FleetOptions {
  /** Unique per running process. @default `<host>:<pid>:<random>` */
  readonly instanceId?: string
  /** The release the instance runs (e.g. your package version), shown in the fleet view. */
  readonly appVersion?: string
  /** How often the instance publishes its status when nothing happens. @default 10000 */
  readonly heartbeatMs?: number
  /** How long after its last heartbeat an instance drops out of the fleet view. @default 3 × heartbeatMs */
  readonly ttlMs?: number
}

/** The options resolved; throws `BAD_OPTIONS` for an empty id or a TTL not above the heartbeat. @internal */
export interface FleetPlan {
  readonly id: string
  readonly host: string
  readonly appVersion?: string
  readonly heartbeatMs: number
  readonly ttlMs: number
}

/** @internal */
export function fleetPlan(options: FleetOptions, owner: string): FleetPlan {
  const host = hostname()
  const { heartbeatMs = 10_000, instanceId = `${host}:${process.pid}:${randomBytes(4).toString('hex')}` } =
    options
  const { ttlMs = 3 * heartbeatMs } = options
  const bad = (path: string, message: string) =>
    new ConfigError(issue('BAD_OPTIONS', path, `${owner}: ${message}`))
  if (typeof instanceId !== 'string' || instanceId === '')
    throw bad('instanceId', 'instanceId must be a non-empty string')
  if (!Number.isFinite(heartbeatMs) || heartbeatMs < 10)
    throw bad('heartbeatMs', 'heartbeatMs must be at least 10')
  if (!Number.isFinite(ttlMs) || ttlMs <= heartbeatMs)
    throw bad('ttlMs', `ttlMs must be longer than heartbeatMs (${heartbeatMs}), e.g. 3 × heartbeatMs`)
  return {
    id: instanceId,
    host,
    heartbeatMs,
    ttlMs,
    ...(options.appVersion === undefined ? {} : { appVersion: options.appVersion }),
  }
}
