import { randomUUID } from 'node:crypto'
import { Etcd3 } from 'etcd3'
import { filter, firstValueFrom } from 'rxjs'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { etcdCluster, etcdSource, etcdSync } from '../../../src/adapters/etcd/index.ts'
import { createConfigStore } from '../../../src/index.ts'
import type { ConfigStore, Logger } from '../../../src/types.ts'
import { type EtcdServer, startEtcd } from '../../support/etcd-server.ts'
import { until } from '../../support/until.ts'
import { describeEtcd } from './describe-etcd.ts'

const schema = z.object({
  pool: z.object({ min: z.number().int().default(1), max: z.number().int().default(10) }),
  log: z.string().default('info'),
})
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} }

describeEtcd('etcdSync', () => {
  let etcd: EtcdServer
  let client: Etcd3
  const stores: ConfigStore<z.output<typeof schema>>[] = []

  beforeAll(async () => {
    etcd = await startEtcd()
    client = new Etcd3({ hosts: etcd.endpoint })
  })
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()))
    if (!etcd.running) await etcd.start()
  })
  afterAll(async () => {
    client?.close()
    await etcd?.close()
  })

  const watched = async (prefix: string) => {
    const store = await createConfigStore({
      schema,
      sources: [etcdSource({ client, prefix })],
      adapters: [etcdSync({ hosts: etcd.endpoint, prefix, backoff: { initialMs: 20, maxMs: 200 } })],
      logger: quiet,
    })
    stores.push(store)
    await until('the watch', () => store.status().adapters[0]?.state === 'running')
    return store
  }

  it('reloads the store from etcd when an operator changes a key under the prefix', async () => {
    const prefix = `w/${randomUUID()}`
    const store = await watched(prefix)
    const change = firstValueFrom(store.changes$)
    await client.put(`${prefix}/pool.max`).value('42')
    expect(await change).toMatchObject({ source: 'etcd', changes: [{ path: 'pool.max', from: 10, to: 42 }] })
    expect(store.explain('pool.max').layer).toBe(`etcd:${prefix}/pool.max`)
  })

  it('coalesces a burst of changes into fewer reloads than changes and ends on the last value', async () => {
    const prefix = `w/${randomUUID()}`
    const store = await watched(prefix)
    const reloadsBefore = store.stats().reloads
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.put(`${prefix}/pool.max`).value(String(i + 1))),
    )
    const last = await client.get(`${prefix}/pool.max`).number()
    await firstValueFrom(store.config$.pipe(filter((c) => c.pool.max === last)))
    expect(store.stats().reloads - reloadsBefore).toBeLessThan(20)
  })

  it('reports failed while etcd is down, keeps the config, and catches up when etcd is back', async () => {
    const prefix = `w/${randomUUID()}`
    await client.put(`${prefix}/pool.max`).value('42')
    const store = await watched(prefix)
    await etcd.stop()
    await until('failed', () => store.status().adapters[0]?.state === 'failed')
    expect(store.current.pool.max).toBe(42)
    expect(store.status().adapters[0]?.lastError).toBeTruthy()
    await etcd.start()
    await until('running again', () => store.status().adapters[0]?.state === 'running')
    const change = firstValueFrom(store.changes$)
    await client.put(`${prefix}/pool.max`).value('43')
    expect((await change).changes).toEqual([{ path: 'pool.max', from: 42, to: 43 }])
  })

  it('starts on the other layers when etcd is down and brings the etcd layer when etcd comes up', async () => {
    const prefix = `w/${randomUUID()}`
    await client.put(`${prefix}/config/pool.max`).value('42')
    await client.put(`${prefix}/overrides/log`).value('"debug"')
    await etcd.stop()
    const cluster = etcdCluster({
      hosts: etcd.endpoint,
      prefix,
      timeoutMs: 1000,
      backoff: { initialMs: 20, maxMs: 200 },
    })
    const store = await createConfigStore({
      schema,
      sources: [cluster.source],
      overrides: { backend: cluster.overrides },
      adapters: [cluster.adapter],
      logger: quiet,
    })
    stores.push(store)
    expect(store.current).toEqual({ pool: { min: 1, max: 10 }, log: 'info' })
    await until('failed', () => store.status().adapters[0]?.state === 'failed')
    const arrived = firstValueFrom(store.config$.pipe(filter((c) => c.pool.max === 42)))
    await etcd.start()
    expect(await arrived).toEqual({ pool: { min: 1, max: 42 }, log: 'debug' })
    expect(store.status().adapters[0]?.state).toBe('running')
  })

  it('fails store creation with SOURCE_FAILED when etcd is down and the cluster is required', async () => {
    await etcd.stop()
    const cluster = etcdCluster({ hosts: etcd.endpoint, prefix: 'required', required: true, timeoutMs: 1000 })
    await expect(
      createConfigStore({
        schema,
        sources: [cluster.source],
        overrides: { backend: cluster.overrides },
        logger: quiet,
      }),
    ).rejects.toMatchObject({ code: 'SOURCE_FAILED' })
    await cluster.close()
  })
})
