import type { FleetInstance } from '../../types.ts'
import type { FleetStore } from '../fleet/fleet-store.ts'
import { migrate } from './migration.ts'
import type { PoolRef } from './pg-client.ts'

/**
 * The instances' status records of one service in `<schema>.instances`, one row per instance. Heartbeats are the
 * database's clock (`now()`), and a record's age is measured there too, so instances with skewed clocks still
 * expire at their TTL. Each publish deletes the service's stale rows: a process that died leaves no row for long.
 * @internal
 */
export function createPgFleet(
  ref: PoolRef,
  plan: { readonly schema: string; readonly service: string },
): FleetStore {
  const { schema, service } = plan
  const q = `"${schema}"`
  const pool = async () => {
    const p = await ref.get()
    await migrate(p, schema)
    return p
  }
  return {
    name: `postgres:${schema}/${service}`,
    async publish(record) {
      await (await pool()).query(
        `WITH stale AS (
           DELETE FROM ${q}.instances
            WHERE service = $1 AND id <> $2 AND heartbeat_at + ttl_ms * interval '1 millisecond' < now()
         )
         INSERT INTO ${q}.instances (service, id, status, heartbeat_at, ttl_ms) VALUES ($1, $2, $3, now(), $4)
         ON CONFLICT (service, id) DO UPDATE
           SET status = EXCLUDED.status, heartbeat_at = EXCLUDED.heartbeat_at, ttl_ms = EXCLUDED.ttl_ms`,
        [service, record.id, JSON.stringify(record), record.ttlMs],
      )
    },
    async remove(id) {
      await (await pool()).query(`DELETE FROM ${q}.instances WHERE service = $1 AND id = $2`, [service, id])
    },
    async read() {
      const { rows } = await (await pool()).query<{
        status: FleetInstance
        age_ms: number
        version: string | null
      }>(
        `SELECT i.status, extract(epoch FROM now() - i.heartbeat_at) * 1000 AS age_ms,
                (SELECT version FROM ${q}.services WHERE service = $1) AS version
           FROM ${q}.instances AS i
          WHERE i.service = $1 AND i.heartbeat_at + i.ttl_ms * interval '1 millisecond' > now()`,
        [service],
      )
      const now = Date.now()
      const records = rows.map((r) => ({
        ...r.status,
        heartbeatAt: new Date(now - Number(r.age_ms)).toISOString(),
      }))
      // Version 0 (or no services row): no save yet, so no last change to account for.
      const version = rows[0]?.version
      return {
        records,
        version: version === null || version === undefined || version === '0' ? undefined : version,
      }
    },
  }
}
