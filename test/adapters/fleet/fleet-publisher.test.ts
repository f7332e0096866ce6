import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { withFleet } from '../../../src/adapters/fleet/fleet-publisher.ts'
import type { FleetStore } from '../../../src/adapters/fleet/fleet-store.ts'
import { createConfigStore } from '../../../src/index.ts'
import type { FleetInstance } from '../../../src/types.ts'
import { probeAdapter } from '../../support/probe-adapter.ts'
import { until } from '../../support/until.ts'

const schema = z.object({ pool: z.object({ max: z.number().default(10) }) })
const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const plan = { id: 'i1', host: 'h', appVersion: '1.2.3', heartbeatMs: 50, ttlMs: 150, timeoutMs: 200 }

/** A fleet store in memory, whose publishes can be made to hang like a backend that stopped answering. */
function memoryFleet(): FleetStore & { records: FleetInstance[]; removed: string[]; hang: boolean } {
  const fleet = {
    name: 'memory:svc',
    records: [] as FleetInstance[],
    removed: [] as string[],
    hang: false,
    async publish(record: FleetInstance) {
      if (fleet.hang) return new Promise<void>(() => {})
      fleet.records.push(record)
    },
    async remove(id: string) {
      fleet.removed.push(id)
    },
    async read() {
      return { records: fleet.records.slice(-1), version: '4' }
    },
  }
  return fleet
}

describe('the fleet publisher', () => {
  it('publishes on start, after each transaction and on every heartbeat, and takes its record out on close', async () => {
    const fleet = memoryFleet()
    const store = await createConfigStore({
      schema,
      adapters: [withFleet(probeAdapter('sync'), fleet, plan, { current: '4' })],
      logger: quiet,
    })
    await until('the first record', () => fleet.records.length > 0)
    expect(fleet.records[0]).toMatchObject({ id: 'i1', appVersion: '1.2.3', sharedVersion: '4', ttlMs: 150 })

    await store.set('pool.max', 20)
    await until('a record at revision 2', () => fleet.records.some((r) => r.revision === 2))
    const count = fleet.records.length
    await until('two heartbeats', () => fleet.records.length >= count + 2, 1000)

    await store.reload()
    await until('the reload in the record', () => fleet.records.at(-1)?.lastReload?.status === 'unchanged')
    expect((await store.fleet()).lastChange).toEqual({
      version: '4',
      applied: ['i1'],
      refused: [],
      pending: [],
    })

    await store.close()
    expect(fleet.removed).toEqual(['i1'])
    const after = fleet.records.length
    await new Promise((resolve) => setTimeout(resolve, 120))
    expect(fleet.records.length, 'no heartbeat after close').toBe(after)
  })

  it('closes within its timeout when the backend no longer answers', async () => {
    const fleet = memoryFleet()
    const store = await createConfigStore({
      schema,
      adapters: [withFleet(probeAdapter('sync'), fleet, plan, { current: undefined })],
      logger: quiet,
    })
    await until('the first record', () => fleet.records.length > 0)
    fleet.hang = true
    await store.set('pool.max', 30)
    const started = Date.now()
    await store.close()
    expect(Date.now() - started).toBeLessThan(1000)
  })
})
