import { randomUUID } from 'node:crypto'
import { Etcd3 } from 'etcd3'
import { filter, firstValueFrom } from 'rxjs'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { ConfigStore, UpdateResult } from '../../../src/types.ts'
import { type EtcdServer, startEtcd } from '../../support/etcd-server.ts'
import { ChildInstance } from './child-instance.ts'
import { describeEtcd, until } from './describe-etcd.ts'
import { type ClusterConfig, createInstance } from './fixtures/cluster-instance.ts'

// Three stores in this process and one in a child process, all on one etcd and one prefix.
describeEtcd('etcd cluster', () => {
  let etcd: EtcdServer
  let client: Etcd3
  let stores: ConfigStore<ClusterConfig>[] = []
  let child: ChildInstance
  const prefix = `cluster/${randomUUID()}`

  beforeAll(async () => {
    etcd = await startEtcd()
    client = new Etcd3({ hosts: etcd.endpoint })
    child = new ChildInstance(etcd.endpoint, prefix)
    stores = await Promise.all([0, 1, 2].map(() => createInstance(etcd.endpoint, prefix)))
    await child.ready()
    await until('every watch', () => adapterStates().every((s) => s === 'running'))
  })
  afterAll(async () => {
    await Promise.all([...stores.map((s) => s.close()), child?.close()])
    client?.close()
    await etcd?.close()
  })

  const adapterStates = () => [...stores.map((s) => s.status().adapters[0]?.state), child.adapterState]
  /** Every instance commits a config matching `check`, each within `ms` (a deadline, not a measurement). */
  const converge = (what: string, check: (c: ClusterConfig) => boolean, ms: number) =>
    Promise.all([
      ...stores.map((s) => withDeadline(firstValueFrom(s.config$.pipe(filter(check))), ms, what)),
      until(`${what} in the child`, () => child.config !== undefined && check(child.config), ms),
    ])

  it('commits an update made through any instance on every instance within 1 s', async () => {
    const doors: ((value: number) => Promise<UpdateResult>)[] = [
      ...stores.map((s) => (value: number) => s.set('pool.max', value)),
      (value) => child.request({ cmd: 'set', path: 'pool.max', value }),
    ]
    for (const [i, set] of doors.entries()) {
      const value = 100 + i
      const done = converge(`pool.max = ${value}`, (c) => c.pool.max === value, 1000)
      expect(await set(value)).toMatchObject({ status: 'committed' })
      await done
    }
  })

  it('records the etcd revision of an update in the history of the instance that made it', async () => {
    expect(await stores[0]!.set('server.port', 8081)).toMatchObject({ status: 'committed' })
    const { kvs } = await client.get(`${prefix}/overrides/server.port`).exec()
    expect(stores[0]!.history({ limit: 1 })[0]).toMatchObject({
      source: 'api',
      persistedVersion: kvs[0]!.mod_revision,
    })
  })

  it('applies or reports stale every concurrent update and loses none', async () => {
    const start = stores[0]!.current.counter
    const increment = (s: ConfigStore<ClusterConfig>) =>
      s.update((draft) => {
        draft.counter += 1
      })
    const doors = [...stores.map((s) => () => increment(s)), () => child.request({ cmd: 'increment' })]
    const results = (
      await Promise.all(
        doors.map(async (door) => {
          const out: UpdateResult[] = []
          for (let i = 0; i < 5; i++) out.push(await door())
          return out
        }),
      )
    ).flat()
    for (const result of results) {
      if (result.status === 'committed') continue
      const codes = result.status === 'rolledBack' ? result.errors.map((e) => e.code) : [result.status]
      expect([...new Set(codes)]).toEqual(['STALE_REVISION'])
    }
    const committed = results.filter((r) => r.status === 'committed').length
    expect(committed).toBeGreaterThan(0)
    // The model: each committed increment moved etcd from the value it read to that value + 1, so none is lost.
    const stored = await client.get(`${prefix}/overrides/counter`).number()
    expect(stored, 'the counter in etcd after every committed increment').toBe(start + committed)
    await converge(`counter = ${stored}`, (c) => c.counter === stored, 5000)
  })

  it('keeps serving and reports failed while etcd is down, then converges when it is back', async () => {
    const before = stores.map((s) => s.current)
    const childBefore = child.config
    await etcd.stop()
    await until('every adapter failed', () => adapterStates().every((s) => s === 'failed'))
    expect(stores.map((s) => s.current)).toEqual(before)
    expect(child.config).toEqual(childBefore)
    expect(await stores[1]!.set('pool.max', 7)).toMatchObject({
      status: 'rolledBack',
      errors: [{ code: 'PERSIST_FAILED' }],
    })
    expect(stores[1]!.current).toBe(before[1])

    await etcd.start()
    await until('every adapter running', () => adapterStates().every((s) => s === 'running'))
    const done = converge('pool.max = 200', (c) => c.pool.max === 200, 1000)
    expect(await stores[2]!.set('pool.max', 200)).toMatchObject({ status: 'committed' })
    await done
  })
})

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}
