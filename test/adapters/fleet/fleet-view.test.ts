import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { fleetPlan } from '../../../src/adapters/fleet/fleet-options.ts'
import { fleetView } from '../../../src/adapters/fleet/fleet-view.ts'
import { createConfigStore } from '../../../src/index.ts'
import type { FleetInstance } from '../../../src/types.ts'

const now = new Date('2026-01-01T00:00:10Z')

function instance(
  id: string,
  over: Partial<FleetInstance> = {},
  sharedVersion: string | null = '7',
): FleetInstance {
  return {
    id,
    ...(sharedVersion === null ? {} : { sharedVersion }),
    host: 'h',
    pid: 1,
    revision: 3,
    configHash: 'abc',
    parked: [],
    pendingRestart: [],
    adapters: [],
    heartbeatAt: '2026-01-01T00:00:09Z',
    ttlMs: 3000,
    ...over,
  }
}

describe('fleetView', () => {
  it('sorts applied, refused (parked or a refused reload, with the reason) and pending for the last change', () => {
    const view = fleetView(
      'etcd:orders',
      [
        instance('c', { sharedVersion: '6' }),
        instance('a'),
        instance('d', { parked: [{ path: 'beta', message: 'unknown key "beta"' }] }),
        instance('b', { sharedVersion: '8' }),
        instance('e', {
          lastReload: { status: 'rejected', source: 'etcd', revision: 3, at: '', reason: 'pool: too small' },
        }),
        instance('f', {}, null),
      ],
      '7',
      now,
    )
    expect(view.instances.map((i) => i.id)).toEqual(['a', 'b', 'c', 'd', 'e', 'f'])
    expect(view.lastChange).toEqual({
      version: '7',
      applied: ['a', 'b'],
      refused: [
        { id: 'd', reason: 'unknown key "beta"' },
        { id: 'e', reason: 'its last reload was rejected: pool: too small' },
      ],
      pending: ['c', 'f'],
    })
  })

  it('leaves out instances whose heartbeat is older than their TTL, and the last change before any save', () => {
    const view = fleetView(
      'postgres:hotconf/orders',
      [instance('a'), instance('gone', { ttlMs: 500 })],
      undefined,
      now,
    )
    expect(view).toEqual({
      backend: 'postgres:hotconf/orders',
      at: now.toISOString(),
      instances: [instance('a')],
    })
  })

  it('compares versions as numbers, not as text', () => {
    const view = fleetView('etcd:x', [instance('a', { sharedVersion: '10' })], '9', now)
    expect(view.lastChange?.applied).toEqual(['a'])
  })
})

describe('fleet options', () => {
  it('names an instance host:pid:random by default and refuses a TTL not above the heartbeat', () => {
    expect(fleetPlan({}, 'etcdCluster')).toMatchObject({
      id: expect.stringMatching(new RegExp(`:${process.pid}:[0-9a-f]{8}$`)),
      heartbeatMs: 10_000,
      ttlMs: 30_000,
    })
    expect(() => fleetPlan({ heartbeatMs: 100, ttlMs: 100 }, 'etcdCluster')).toThrow(
      expect.objectContaining({ code: 'BAD_OPTIONS', path: 'ttlMs' }),
    )
    expect(() => fleetPlan({ instanceId: '' }, 'postgresCluster')).toThrow(/postgresCluster: instanceId/)
  })
})

describe('store.fleet()', () => {
  it('rejects with NOT_FOUND when no adapter offers a fleet view', async () => {
    await using store = await createConfigStore({ schema: z.object({ a: z.number().default(1) }) })
    await expect(store.fleet()).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: /etcdCluster or postgresCluster/,
    })
  })
})
