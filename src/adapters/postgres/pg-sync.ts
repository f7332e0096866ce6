import type { Adapter } from '../../types.ts'
import { reconnectingWatch } from '../reconnecting-watch.ts'
import { channelOf, migrate } from './migration.ts'
import type { PoolRef } from './pg-client.ts'

/** What the LISTEN adapter of one service listens to. @internal */
export interface PgSyncPlan {
  readonly schema: string
  readonly service: string
  readonly initialMs: number
  readonly maxMs: number
}

/**
 * Keeps an instance in step through `LISTEN` on the service's channel, on a connection of its own taken from the
 * pool (a LISTEN belongs to a session: a pooler in transaction mode cannot carry it). Each NOTIFY reloads (bursts
 * coalesced); a lost connection turns the adapter `failed` until it listens again, then one reload catches up.
 * `isOwnWrite` recognises the transaction ids of this store's own saves, whose echo needs no reload. @internal
 */
export function createPgSync<TConfig>(
  ref: PoolRef,
  plan: PgSyncPlan,
  isOwnWrite: (txid: string) => boolean = () => false,
): Adapter<TConfig> {
  const { schema, service, initialMs, maxMs } = plan
  const channel = channelOf(schema, service)
  return reconnectingWatch('postgres', ref, {
    source: 'postgres',
    initialMs,
    maxMs,
    async open(changed, lost) {
      const pool = await ref.get()
      // The triggers that NOTIFY are part of the schema: a first instance may listen before any load ran.
      await migrate(pool, schema)
      const client = await pool.connect()
      const ended = () => lost(new Error('PostgreSQL closed the LISTEN connection'))
      client.on('error', lost)
      client.on('end', ended)
      client.on('notification', (message) => {
        if (message.channel !== channel || isOwnWrite(message.payload ?? '')) return
        changed(`postgres: NOTIFY from transaction ${message.payload}`)
      })
      const release = async () => {
        client.off('end', ended).off('error', lost).removeAllListeners('notification')
        // Late socket errors of a connection being destroyed are expected, and must not go unheard.
        client.on('error', () => {})
        // Destroyed, never handed back: a pooled connection must not keep listening.
        client.release(true)
      }
      try {
        await client.query(`LISTEN "${channel}"`)
      } catch (error) {
        await release()
        throw error
      }
      return { close: release }
    },
  })
}
