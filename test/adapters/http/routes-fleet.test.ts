import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createAdminApp } from '../../../src/adapters/http/index.ts'
import { createConfigStore } from '../../../src/index.ts'
import type { Adapter, FleetView } from '../../../src/types.ts'
import { expectProblem } from './expect-problem.ts'
import { READ, TOKENS } from './fixture.ts'

const schema = z.object({ pool: z.object({ max: z.number().default(10) }) })
const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const view: FleetView = {
  backend: 'etcd:orders',
  at: '2026-01-01T00:00:00.000Z',
  instances: [],
  lastChange: {
    version: '7',
    applied: [],
    refused: [{ id: 'old', reason: 'unknown key "beta"' }],
    pending: [],
  },
}

/** An adapter offering a fleet view, as `etcdCluster` and `postgresCluster` do, that may fail to read it. */
function fleetAdapter(read: () => Promise<FleetView>): Adapter {
  return { name: 'fleet', start: () => ({ dispose() {}, fleet: read }) }
}

async function appWith(adapters: Adapter[]) {
  const store = await createConfigStore({ schema, adapters, logger: quiet })
  return { store, app: createAdminApp(store, { tokens: TOKENS, logger: quiet }) }
}

const get = (app: ReturnType<typeof createAdminApp>, token?: string) =>
  app.request('/config/fleet', token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })

describe('GET /config/fleet', () => {
  it('answers the fleet view of the adapter that offers one, to the read role', async () => {
    const { store, app } = await appWith([fleetAdapter(async () => view)])
    const res = await get(app, READ)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await res.json()).toEqual(view)
    await expectProblem(await get(app), 401, 'UNAUTHORIZED')
    await store.close()
  })

  it('answers 501 when no adapter offers a fleet view', async () => {
    const { store, app } = await appWith([])
    const body = await expectProblem(await get(app, READ), 501, 'NOT_IMPLEMENTED')
    expect(body.detail).toMatch(/etcdCluster or postgresCluster/)
    await store.close()
  })

  it('answers 503 without the driver message when the backend cannot be read', async () => {
    const failing = async (): Promise<FleetView> => {
      throw new Error('connect ECONNREFUSED postgres://app:s3cret@db/app')
    }
    const { store, app } = await appWith([fleetAdapter(failing)])
    const res = await get(app, READ)
    const body = await expectProblem(res, 503, 'ADAPTER_FAILED')
    expect(JSON.stringify(body)).not.toContain('s3cret')
    await store.close()
  })
})
