import { randomUUID } from 'node:crypto'
import { Etcd3 } from 'etcd3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { etcdOverrides } from '../../src/adapters/etcd/index.ts'
import { createConfigStore } from '../../src/index.ts'
import type { Logger } from '../../src/types.ts'
import { type EtcdServer, startEtcd } from '../support/etcd-server.ts'
import { describeEtcd } from './describe-etcd.ts'

const older = z.object({ pool: z.object({ max: z.number().int().default(10) }) })
const newer = z.object({
  pool: z.object({ max: z.number().int().default(10) }),
  search: z.object({ fuzzy: z.boolean().default(false) }),
})
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} }

// A rolling deploy: instances of two releases share one etcd prefix for their runtime overrides.
describeEtcd('etcd overrides shared by two releases', () => {
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

  it('keeps the keys only the newer release knows when an older instance writes, for every instance', async () => {
    const prefix = `/hotconf-test/${randomUUID()}/`
    const open = <S extends z.ZodObject>(schema: S) =>
      createConfigStore({
        schema,
        environment: 'test',
        overrides: { backend: etcdOverrides({ hosts: etcd.endpoint, prefix }) },
        logger: quiet,
      })
    const fresh = await open(newer)
    expect(await fresh.set('search.fuzzy', true)).toMatchObject({ status: 'committed' })
    const old = await open(older)
    expect(old.status().warnings.map((w) => w.message)).toEqual([
      expect.stringContaining('override at search does not fit this schema'),
    ])
    expect(await old.set('pool.max', 30)).toMatchObject({ status: 'committed' })

    const keys = await client.getAll().prefix(prefix).keys()
    expect(keys.filter((k) => !k.endsWith('/_meta')).sort()).toEqual([
      expect.stringContaining('pool'),
      expect.stringContaining('search'),
    ])
    expect(await fresh.reload()).toMatchObject({
      status: 'committed',
      changes: [{ path: 'pool.max', to: 30 }],
    })
    expect(fresh.current).toEqual({ pool: { max: 30 }, search: { fuzzy: true } })
    await Promise.all([old.close(), fresh.close()])
  })
})
