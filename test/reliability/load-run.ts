import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect } from 'vitest'
import { type AdminAddress, serveAdmin } from '../../src/adapters/http/index.ts'
import { createConfigStore } from '../../src/index.ts'
import { fileSource } from '../../src/sources/index.ts'
import type { StoreEvent } from '../../src/types.ts'
import { ADMIN, memoryLogger, schema, TOKENS } from '../adapters/http/fixture.ts'
import { until } from '../support/json-layer.ts'

const gc = (globalThis as { gc?: () => void }).gc

/** Heap used after a full collection, or `undefined` when node runs without `--expose-gc`. */
function settledHeap(): number | undefined {
  if (!gc) return undefined
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/**
 * Timers, sockets, watchers and servers alive now, sorted. One-shot requests (`FSReqPromise`, `CloseReq`, ...) are
 * left out: vitest's own file reads come and go at any moment.
 */
function lastingHandles(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((kind) => !/Req/.test(kind))
    .sort()
}

/** The handles in `after` beyond those in `before`, counting duplicates. */
function leftOver(before: readonly string[], after: readonly string[]): string[] {
  const pool = [...before]
  return after.filter((kind) => {
    const at = pool.indexOf(kind)
    if (at < 0) return true
    pool.splice(at, 1)
    return false
  })
}

/** Runs `count` calls of `one`, `width` at a time, and returns every outcome's status. */
async function lanes(count: number, width: number, one: (i: number) => Promise<string>): Promise<string[]> {
  const out: string[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) out.push(await one(next++))
    }),
  )
  return out
}

/** How many updates come through each door. */
export interface LoadPlan {
  readonly api: number
  readonly http: number
  readonly file: number
  /** Persist every commit to an overrides file (an fsync each: ~4 ms a commit on CI disks). */
  readonly persist: boolean
}

/**
 * Drives one store with interleaved updates from the API (8 lanes), the HTTP app (8 lanes) and file edits (reloads,
 * one lane) and asserts that every request is accounted for, revisions are gap-free, the heap is flat (when
 * `global.gc` exists) and `close()` leaves no handles. Returns the figures for the report.
 */
export async function runLoad(dir: string, plan: LoadPlan) {
  const { api: API, http: HTTP, file: FILE } = plan
  const TOTAL = API + HTTP + FILE
  const handlesBefore = lastingHandles()
  let address: AdminAddress | undefined
  const file = join(dir, 'app.yaml')
  await writeFile(file, 'name: svc\n')
  const store = await createConfigStore({
    schema,
    initial: { name: 'svc' },
    sources: [fileSource(file)],
    ...(plan.persist ? { overrides: { file: join(dir, 'overrides.json') } } : {}),
    logger: memoryLogger(),
    // A real server too, so close() has sockets and a listener to clean up.
    adapters: [
      serveAdmin({
        port: 0,
        tokens: TOKENS,
        onListen: (a) => {
          address = a
        },
      }),
    ],
  })
  if (!address) throw new Error('the admin API did not start')
  const served = address.url
  const committed: number[] = []
  store.events$.subscribe((e: StoreEvent) => {
    if (e.type === 'transaction' && e.phase === 'committed') committed.push(e.revision)
  })
  // Over a real socket: in-process `app.request` with a body retains ~2 KB a request (hono's bodyLimit on Node's
  // Request; see docs/RELIABILITY.md), which would hide hotconf's own heap behind it.
  const patch = (body: unknown) =>
    fetch(served, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  /** `api`, `http` and `file` updates through their doors at once; the file lane writes `host-<i>`. */
  const round = (api: number, http: number, files: number) =>
    Promise.all([
      // Every 25th API update is out of range, to be rejected among the others.
      lanes(api, 8, async (i) => (await store.set('pool.max', i % 25 === 0 ? 5000 : 1 + (i % 900))).status),
      lanes(http, 8, async (i) => {
        const res = await patch({ features: { [`f${i % 20}`]: i % 3 === 0 }, tags: [`t${i}`] })
        const body = (await res.json()) as { status?: string; code?: string }
        return res.status === 200 ? (body.status ?? 'missing') : `http ${res.status} ${body.code}`
      }),
      lanes(files, 1, async (i) => {
        await writeFile(file, `name: svc\ndb:\n  host: host-${i}\n`)
        return (await store.reload()).status
      }),
    ])
  // Warm up every door (the HTTP client and server pools settle after ~1,000 requests) and fill the history and
  // events rings before the heap is measured.
  await round(1000, 1500, 50)
  const heapBefore = settledHeap()
  const revisionBefore = store.revision
  committed.length = 0

  const [api, http, files] = await round(API, HTTP, FILE)
  const outcomes = [...api, ...http, ...files]
  const count = (s: string) => outcomes.filter((o) => o === s).length

  expect(outcomes).toHaveLength(TOTAL)
  expect(count('committed') + count('unchanged') + count('rejected')).toBe(TOTAL)
  expect(api.filter((s) => s === 'rejected')).toHaveLength(API / 25)
  expect(files.every((s) => s === 'committed')).toBe(true)
  expect(http.every((s) => s === 'committed')).toBe(true)
  // Gap-free and strictly increasing: one revision per committed outcome, in order.
  expect(committed).toEqual(Array.from({ length: count('committed') }, (_, i) => revisionBefore + 1 + i))
  expect(store.revision).toBe(revisionBefore + count('committed'))
  expect(store.stats().commits).toBe(store.revision - 1)
  expect(store.current.db.host).toBe(`host-${FILE - 1}`)

  const heapAfter = settledHeap()
  if (heapBefore !== undefined && heapAfter !== undefined) expect(heapAfter).toBeLessThan(heapBefore * 1.1)
  else console.info('load: heap check skipped (run node with --expose-gc to enable it)')

  await store.close()
  // close() resolves once the server's handles are freed; this test's fetch client frees its keep-alive sockets on a
  // later turn, and vitest's own timers come and go: what counts is that nothing is left beyond what was there before.
  await until(() => leftOver(handlesBefore, lastingHandles()).length === 0, 2000).catch(() => {})
  expect(leftOver(handlesBefore, lastingHandles())).toEqual([])
  return {
    total: TOTAL,
    committed: count('committed'),
    unchanged: count('unchanged'),
    rejected: count('rejected'),
    heapBefore,
    heapAfter,
  }
}
