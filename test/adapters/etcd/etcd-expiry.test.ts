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
const quiet = { debug() {}, info() {}, warn() {}, error() {} }

describeEtcd('etcdOverrides: expiring overrides (#20)', () => {
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
})
