import type { FleetInstance } from '../../types.ts'

/** Where a shared backend keeps the instances' status records (an etcd key on a lease, a PostgreSQL row). @internal */
export interface FleetStore {
  /** The backend and service as the fleet view names them, e.g. `etcd:orders`. */
  readonly name: string
  /** Writes (or refreshes) this instance's record; it expires `record.ttlMs` after this call unless refreshed. */
  publish(record: FleetInstance): Promise<void>
  /** Takes this instance's record out at once (on close). */
  remove(id: string): Promise<void>
  /** Every record the backend holds for the service, and the version of the newest save of the shared overrides. */
  read(): Promise<{ readonly records: readonly FleetInstance[]; readonly version: string | undefined }>
}

/**
 * The version of the shared overrides an instance last read or wrote, told by the cluster's overrides backend and
 * read by its fleet publisher. @internal
 */
export function sharedVersion(): { note(version: string): void; readonly current: string | undefined } {
  let current: string | undefined
  return {
    note(version) {
      if (current === undefined || BigInt(version) > BigInt(current)) current = version
    },
    get current() {
      return current
    },
  }
}
