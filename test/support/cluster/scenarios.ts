import { randomUUID } from 'node:crypto'
import { filter, firstValueFrom } from 'rxjs'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { ConfigStore, UpdateResult } from '../../../src/types.ts'
import { until } from '../until.ts'
import { ChildInstance } from './child-instance.ts'
import {
  type ClusterBackend,
  type ClusterConfig,
  createInstance,
  newerClusterSchema,
} from './cluster-instance.ts'

/** A shared backend server the scenarios start, stop and read behind the stores' backs. */
export interface ClusterServer {
  /** What `createInstance` connects to: etcd's client URL or a PostgreSQL connection string. */
  readonly endpoint: string
  stop(): Promise<void>
  start(): Promise<void>
  close(): Promise<void>
  /** The counter override as stored for `name` (read directly, not through a store). */
  storedCounter(name: string): Promise<number>
  /** The version the backend gave the last write of `path` (etcd mod revision, PostgreSQL row version). */
  storedVersion(name: string, path: string): Promise<string>
}

/**
 * The guarantees every shared backend gives, run against a real server: three stores in this process and one in a
 * child process, on one service. Call inside a `describe` of the backend's test file.
 */
export function clusterScenarios(backend: ClusterBackend, startServer: () => Promise<ClusterServer>): void {
  let server: ClusterServer
  let stores: ConfigStore<ClusterConfig>[] = []
  let child: ChildInstance
  const name = `cluster-${randomUUID()}`

  beforeAll(async () => {
    server = await startServer()
    child = new ChildInstance(backend, server.endpoint, name)
    stores = await Promise.all([0, 1, 2].map(() => createInstance(backend, server.endpoint, name)))
    await child.ready()
    await until('every watch', () => adapterStates().every((s) => s === 'running'))
  })
  afterAll(async () => {
    await Promise.all([...stores.map((s) => s.close()), child?.close()])
    await server?.close()
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

  it('records the stored version of an update in the history of the instance that made it', async () => {
    expect(await stores[0]!.set('server.port', 8081)).toMatchObject({ status: 'committed' })
    expect(stores[0]!.history({ limit: 1 })[0]).toMatchObject({
      source: 'api',
      persistedVersion: await server.storedVersion(name, 'server.port'),
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
    // The model: each committed increment moved the store from the value it read to that value + 1, so none is lost.
    const stored = await server.storedCounter(name)
    expect(stored, 'the stored counter after every committed increment').toBe(start + committed)
    await converge(`counter = ${stored}`, (c) => c.counter === stored, 5000)
  })

  it('keeps serving and reports failed while the backend is down, then converges when it is back', async () => {
    const before = stores.map((s) => s.current)
    const childBefore = child.config
    await server.stop()
    await until('every adapter failed', () => adapterStates().every((s) => s === 'failed'))
    expect(stores.map((s) => s.current)).toEqual(before)
    expect(child.config).toEqual(childBefore)
    expect(await stores[1]!.set('pool.max', 7)).toMatchObject({
      status: 'rolledBack',
      errors: [{ code: 'PERSIST_FAILED' }],
    })
    expect(stores[1]!.current).toBe(before[1])

    await server.start()
    await until('every adapter running', () => adapterStates().every((s) => s === 'running'))
    const done = converge('pool.max = 200', (c) => c.pool.max === 200, 1000)
    expect(await stores[2]!.set('pool.max', 200)).toMatchObject({ status: 'committed' })
    await done
  })

  it('shows in store.fleet() who took the last change, who parked it and why, and drops a dead instance at its TTL', async () => {
    const service = `fleet-${randomUUID()}`
    const fleet = (id: string, appVersion: string) => ({
      instanceId: id,
      appVersion,
      heartbeatMs: 100,
      ttlMs: 1000,
    })
    const [a, b, old] = await Promise.all([
      createInstance(backend, server.endpoint, service, {
        schema: newerClusterSchema,
        fleet: fleet('a', '2.0.0'),
      }),
      createInstance(backend, server.endpoint, service, {
        schema: newerClusterSchema,
        fleet: fleet('b', '2.0.0'),
      }),
      createInstance(backend, server.endpoint, service, { fleet: fleet('old', '1.0.0') }),
    ])
    const crashing = new ChildInstance(backend, server.endpoint, service, fleet('crashing', '1.0.0'))
    try {
      await crashing.ready()
      await until('four instances in the fleet', async () => (await a.fleet()).instances.length === 4)

      const result = await (a as ConfigStore<unknown>).set('beta', true)
      expect(result).toMatchObject({ status: 'committed' })
      const version = a.history({ limit: 1 })[0]!.persistedVersion!
      await until('every instance reported the change', async () => {
        const change = (await a.fleet()).lastChange
        return change?.version === version && change.pending.length === 0
      })
      const view = await b.fleet()
      expect(view.backend).toMatch(backend)
      expect(view.lastChange).toMatchObject({ version, applied: ['a', 'b'] })
      expect(view.lastChange!.refused.map((r) => r.id)).toEqual(['crashing', 'old'])
      expect(view.lastChange!.refused[1]!.reason).toMatch(/beta.*unknown key/)
      expect(old.status().parked).toMatchObject([{ path: 'beta' }])
      const byId = new Map(view.instances.map((i) => [i.id, i]))
      expect(byId.get('old')).toMatchObject({
        appVersion: '1.0.0',
        pid: process.pid,
        revision: old.revision,
        sharedVersion: version,
        parked: [{ path: 'beta' }],
        lastReload: { status: expect.stringMatching(/committed|unchanged/) },
        adapters: [{ state: 'running' }],
      })
      expect(byId.get('a')).toMatchObject({ appVersion: '2.0.0', sharedVersion: version, parked: [] })
      expect(byId.get('a')!.configHash).toBe(byId.get('b')!.configHash)
      expect(byId.get('a')!.configHash).not.toBe(byId.get('old')!.configHash)

      // A crash says goodbye to no one: the instance drops out once its heartbeat is older than its TTL.
      await crashing.kill()
      const killedAt = Date.now()
      await until(
        'the dead instance dropped out',
        async () => !(await a.fleet()).instances.some((i) => i.id === 'crashing'),
        5000,
      )
      expect(Date.now() - killedAt).toBeLessThan(3000)
      // A store that closes takes its record out at once.
      await b.close()
      expect((await a.fleet()).instances.map((i) => i.id)).toEqual(['a', 'old'])
    } finally {
      await Promise.all([a.close(), b.close(), old.close(), crashing.close()])
    }
  })
}

// --- internal ---

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}
