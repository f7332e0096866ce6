import type { Pool, PoolClient, PoolConfig } from 'pg'
import { importOptional } from '../../adapter-kit.ts'
import { ConfigError, issue } from '../../errors.ts'
import type { ConnectionRef } from '../shared-ref.ts'

/**
 * How the PostgreSQL parts reach the database: a `pg` `Pool` you own (you end it), or a connection string (hotconf
 * creates a pool on first use and ends it when the parts are closed).
 */
export type PostgresConnectionOptions =
  | {
      /**
       * A node-postgres pool you created and end yourself. Give it an `'error'` listener: node-postgres emits one
       * for an idle connection the server drops, and an unheard `'error'` ends the process.
       */
      readonly pool: Pool
      readonly connectionString?: never
    }
  | {
      /** e.g. `'postgres://app@db:5432/app'`. */
      readonly connectionString: string
      /** Extra `pg` pool options (TLS, `max`) for the pool hotconf creates. @default {} */
      readonly poolOptions?: Omit<PoolConfig, 'connectionString'>
      readonly pool?: never
    }

/**
 * A lazily created (or borrowed) pool, shared by the parts of one `postgresCluster`: `get` rejects with
 * `MISSING_DEPENDENCY` when pg is not installed; `close` ends the pool only if hotconf created it. @internal
 */
export type PoolRef = ConnectionRef<Pool>

/** Resolves the connection options into a pool reference; throws `BAD_OPTIONS` when neither is given. @internal */
export function poolRef(options: PostgresConnectionOptions, owner: string, timeoutMs: number): PoolRef {
  if (options.pool !== undefined) {
    const borrowed = options.pool
    return { get: async () => borrowed, close: async () => {} }
  }
  const { connectionString } = options
  if (typeof connectionString !== 'string' || connectionString === '') {
    throw new ConfigError(
      issue('BAD_OPTIONS', '', `${owner} needs { pool } or { connectionString: 'postgres://user@host/db' }`),
    )
  }
  let created: Promise<Pool> | undefined
  return {
    get() {
      created ??= importOptional(() => import('pg'), 'hotconf/postgres', ['pg']).then(({ Pool }) => {
        const pool = new Pool({
          connectionTimeoutMillis: timeoutMs,
          query_timeout: timeoutMs,
          // A dropped network path must end the LISTEN connection, or an outage would go unnoticed.
          keepAlive: true,
          ...options.poolOptions,
          connectionString,
        })
        // An idle connection the server drops (a restart) is replaced on the next checkout; the watch reports it.
        pool.on('error', () => {})
        return pool
      })
      return created
    },
    async close() {
      const pool = await created?.catch(() => undefined)
      created = undefined
      await pool?.end()
    },
  }
}

/** Runs `work` in one transaction on one connection: `COMMIT` when it resolves, `ROLLBACK` when it throws. @internal */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken: unknown
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    broken = await client.query('ROLLBACK').then(
      () => undefined,
      (rollbackError: unknown) => rollbackError,
    )
    throw error
  } finally {
    // A connection whose ROLLBACK failed is in an unknown state: destroy it rather than hand it back to the pool.
    client.release(broken instanceof Error ? broken : undefined)
  }
}
