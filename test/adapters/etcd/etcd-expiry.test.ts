import { randomUUID } from 'node:crypto'
import { Etcd3 } from 'etcd3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { etcdOverrides } from '../../../src/adapters/etcd/index.ts'
import { createConfigStore } from '../../../src/index.ts'
import { type EtcdServer, startEtcd } from '../../support/etcd-server.ts'
import { manualTimers } from '../../support/manual-timers.ts'
import { describeEtcd } from './describe-etcd.ts'

const schema = z.object({ log: z.object({ level: z.enum(['info', 'debug']).default('info') }) })
const poolSchema = z.object({ pool: z.object({ max: z.number().int().default(10) }) })
const quiet = { debug() {}, info() {}, warn() {}, error() {} }

describeEtcd('etcdOverrides: expiring overrides and probation (#20)', () => {
  let etcd: EtcdServer
  let client: Etcd3

  beforeAll(async () => {
    etcd = await startEtcd()
    client = new Etcd3({ hosts: etcd.endpoint })
  })
  afterAll(async () => {
    client?.close()
    await etcd?.close()
  })

  it('keeps deadlines in the metadata key, and a store started later resets what expired meanwhile', async () => {
    const prefix = `t/${randomUUID()}`
    const clocks = manualTimers()
    const open = () =>
      createConfigStore({
        schema,
        overrides: { backend: etcdOverrides({ hosts: etcd.endpoint, prefix }) },
        timers: clocks.timers,
        clock: clocks.clock,
        logger: quiet,
      })
    const first = await open()
    await first.set('log.level', 'debug', { ttlMs: 60_000, actor: 'ops' })
    await first.close()
    // The metadata key is the prefix itself; the leaves are below it.
    const meta = await client.get(prefix).string()
    expect(JSON.parse(meta!).expiries).toEqual({
      'log.level': {
        at: new Date(clocks.clock().getTime() + 60_000).toISOString(),
        revision: 2,
        actor: 'ops',
      },
    })

    const second = await open()
    expect(second.status().expiring).toMatchObject([{ path: 'log.level', revision: 2 }])
    await second.close()

    clocks.advance(61_000)
    const third = await open()
    expect(third.get('log.level')).toBe('info')
    expect(third.history({ limit: 1 })[0]).toMatchObject({ source: 'expiry' })
    expect(third.history({ limit: 1 })[0]!.reason).toMatch(/passed while the store was stopped/)
    await third.close()
    expect(await client.get(`${prefix}/log.level`).string()).toBeNull()
    expect(JSON.parse((await client.get(prefix).string())!).expiries).toBeUndefined()
  })

  it('keeps the change on probation in the metadata key, and a store that starts unhealthy reverts it', async () => {
    const prefix = `t/${randomUUID()}`
    const clocks = manualTimers()
    const health = { ok: true }
    const open = () =>
      createConfigStore({
        schema: poolSchema,
        overrides: { backend: etcdOverrides({ hosts: etcd.endpoint, prefix }) },
        timers: clocks.timers,
        clock: clocks.clock,
        logger: quiet,
        probation: { checks: { health: () => health.ok } },
      })
    const first = await open()
    await first.set('pool.max', 500, { probation: { forMs: 60_000 }, actor: 'ops' })
    await first.close()
    const meta = JSON.parse((await client.get(prefix).string())!)
    expect(meta.probation).toEqual({
      2: {
        until: new Date(clocks.clock().getTime() + 60_000).toISOString(),
        source: 'api',
        actor: 'ops',
        changes: [{ path: 'pool.max', from: 10, to: 500 }],
      },
    })
    // The change took the process down; it comes back, and the service is not healthy.
    health.ok = false
    const second = await open()
    expect(second.get('pool.max')).toBe(10)
    expect(second.status().probation).toEqual([])
    expect(second.history({ limit: 1 })[0]).toMatchObject({ source: 'probation', rollbackOf: 2 })
    await second.close()
    expect(await client.get(`${prefix}/pool.max`).string()).toBeNull()
    expect(JSON.parse((await client.get(prefix).string())!).probation).toBeUndefined()
  })
})
