import { randomUUID } from 'node:crypto'
import { Etcd3 } from 'etcd3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { etcdSource } from '../../../src/adapters/etcd/index.ts'
import { ConfigError } from '../../../src/errors.ts'
import type { SourceContext } from '../../../src/types.ts'
import { type EtcdServer, startEtcd } from '../../support/etcd-server.ts'
import { describeEtcd } from './describe-etcd.ts'

describeEtcd('etcdSource', () => {
  let etcd: EtcdServer
  let client: Etcd3
  const ctx: SourceContext = { environment: 'test', schema: z.object({}) }

  beforeAll(async () => {
    etcd = await startEtcd()
    client = new Etcd3({ hosts: etcd.endpoint })
  })
  afterAll(async () => {
    client?.close()
    await etcd?.close()
  })

  it('reads one key per leaf into a layer that names each etcd key when explained', async () => {
    const prefix = `s/${randomUUID()}`
    await client.put(`${prefix}/pool.max`).value('20')
    const { header } = await client.put(`${prefix}/log.level`).value('debug').exec()
    const layer = await etcdSource({ hosts: etcd.endpoint, prefix }).load(ctx)
    expect(layer).toMatchObject({
      name: `etcd:${prefix}/`,
      data: { pool: { max: 20 }, log: { level: 'debug' } },
      version: header.revision,
    })
    expect(layer.origin?.('pool.max')).toBe(`etcd:${prefix}/pool.max`)
    expect(layer.origin?.('pool')).toBeUndefined()
  })

  it('returns an empty layer when nothing is stored under the prefix yet', async () => {
    expect((await etcdSource({ client, prefix: `s/${randomUUID()}` }).load(ctx)).data).toEqual({})
  })

  it('throws FORBIDDEN_KEY naming the etcd key when a key could reach Object.prototype', async () => {
    const prefix = `s/${randomUUID()}`
    await client.put(`${prefix}/constructor.prototype.x`).value('1')
    const error = await etcdSource({ client, prefix })
      .load(ctx)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).issues[0]).toMatchObject({
      code: 'FORBIDDEN_KEY',
      source: `${prefix}/constructor.prototype.x`,
    })
  })

  it('is absent when etcd is unreachable at start and not required', async () => {
    const source = etcdSource({ hosts: 'http://127.0.0.1:1', prefix: 'x', timeoutMs: 1000 })
    expect(await source.load(ctx)).toEqual({ data: undefined, name: 'etcd:x/' })
  })

  it('throws SOURCE_FAILED when etcd is unreachable at start and required', async () => {
    const source = etcdSource({ hosts: 'http://127.0.0.1:1', prefix: 'x', required: true, timeoutMs: 1000 })
    await expect(source.load(ctx)).rejects.toMatchObject({
      code: 'SOURCE_FAILED',
      issues: [{ source: 'x/' }],
    })
  })

  it('keeps serving the last layer it read when etcd goes away later', async () => {
    const prefix = `s/${randomUUID()}`
    await client.put(`${prefix}/pool.max`).value('20')
    const source = etcdSource({ hosts: etcd.endpoint, prefix, required: true, timeoutMs: 1000 })
    const first = await source.load(ctx)
    await etcd.stop()
    try {
      expect(await source.load(ctx)).toBe(first)
    } finally {
      await etcd.start()
    }
  })
})
