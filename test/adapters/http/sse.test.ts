import { afterEach, describe, expect, it } from 'vitest'
import { expectProblem } from './expect-problem.ts'
import {
  closedByServer,
  contractOf,
  openStream,
  READ,
  rawSocket,
  type Served,
  serveTestStore,
  until,
  WRITE,
} from './fixture.ts'

let s: Served | undefined

afterEach(async () => {
  await s?.store.close()
  s = undefined
})

async function serve(options: Parameters<typeof serveTestStore>[0] = {}) {
  s = await serveTestStore(options)
  return s
}

async function commit(served: Served, max: number) {
  const res = await served.call('PATCH', '', { token: WRITE, body: { pool: { max } } })
  expect(res.status).toBe(200)
}

describe('admin API event stream', () => {
  it('sends ready with the live revision, then one change event per commit, in order', async () => {
    const served = await serve()
    const stream = await openStream(served.url)
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream')
    expect(await stream.next()).toEqual({ id: '1', event: 'ready', data: '{"revision":1}' })
    // Concurrent writers: the stream must still deliver commits in revision order.
    await Promise.all(Array.from({ length: 10 }, (_, i) => commit(served, 20 + i)))
    const ids: number[] = []
    for (let i = 0; i < 10; i++) {
      const event = await stream.next()
      expect(event?.event).toBe('change')
      const data = JSON.parse(event!.data)
      expect(data).toMatchObject({ revision: Number(event!.id), source: 'http', actor: 'writer' })
      expect(data.changes[0].path).toBe('pool.max')
      ids.push(Number(event!.id))
    }
    expect(ids).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    stream.close()
  })

  it('replays the commits after Last-Event-ID from history, then goes live', async () => {
    const served = await serve()
    const first = await openStream(served.url)
    await first.next()
    await commit(served, 20)
    await commit(served, 21)
    const seen = [await first.next(), await first.next()]
    first.close()
    await commit(served, 22)
    await commit(served, 23)
    const resumed = await openStream(served.url, { 'last-event-id': seen[1]!.id! })
    const replayed = [await resumed.next(), await resumed.next()]
    expect(replayed.map((e) => [e?.event, e?.id])).toEqual([
      ['change', '4'],
      ['change', '5'],
    ])
    expect(JSON.parse(replayed[0]!.data).changes).toEqual([{ path: 'pool.max', from: 21, to: 22 }])
    expect(await resumed.next()).toEqual({ id: '5', event: 'ready', data: '{"revision":5}' })
    await commit(served, 24)
    expect(await resumed.next()).toMatchObject({ id: '6', event: 'change' })
    resumed.close()
  })

  it('accepts the last id as ?lastEventId= for clients that cannot set headers', async () => {
    const served = await serve()
    await commit(served, 20)
    const stream = await openStream(`${served.url}`, {})
    stream.close()
    const url = `${served.url}/stream?lastEventId=1`
    const headers = { authorization: `Bearer ${READ}` }
    const res = await fetch(url, { headers })
    await contractOf(served.url).check({ method: 'GET', url, headers }, res)
    const text = await readUntil(res, 'event: ready')
    expect(text).toMatch(/event: change\ndata: .*\nid: 2\n/)
  })

  it('sends resync when history no longer reaches the last id, or the id is from the future', async () => {
    const served = await serve({ historyLimit: 2 })
    for (let i = 0; i < 5; i++) await commit(served, 20 + i)
    const old = await openStream(served.url, { 'last-event-id': '1' })
    const resync = await old.next()
    expect(resync?.event).toBe('resync')
    expect(JSON.parse(resync!.data)).toMatchObject({ revision: 6 })
    expect(await old.next()).toMatchObject({ event: 'ready', id: '6' })
    old.close()
    const future = await openStream(served.url, { 'last-event-id': '99' })
    expect((await future.next())?.event).toBe('resync')
    future.close()
    await expectProblem(
      await served.call('GET', '/stream', { token: READ, headers: { 'last-event-id': 'abc' } }),
      400,
      'BAD_REQUEST',
    )
  })

  it('sends keep-alive comments while idle', async () => {
    const served = await serve({ heartbeatMs: 10 })
    const stream = await openStream(served.url)
    await stream.next()
    const next = stream.next()
    await until(() => stream.raw.join('').includes(': keep-alive'))
    stream.close()
    await next.catch(() => undefined)
  })

  it('unsubscribes when the client leaves and ends the stream when the store closes', async () => {
    const served = await serve()
    const before = served.store.status().observers
    const leaving = await openStream(served.url)
    await leaving.next()
    expect(served.store.status().observers).toBe(before + 1)
    leaving.close()
    await until(() => served.store.status().observers === before)

    const staying = await openStream(served.url)
    await staying.next()
    await served.store.close()
    expect(await staying.next()).toBeUndefined()
  })
})

describe('admin API event stream limits (#15)', () => {
  it('holds no subscription and no timer after HEAD /stream', async () => {
    const served = await serve({ heartbeatMs: 10 })
    const before = served.store.status().observers
    for (let i = 0; i < 20; i++) {
      const res = await served.call('HEAD', '/stream', { token: READ })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/event-stream')
      expect(await res.text()).toBe('')
    }
    expect(served.store.status().observers).toBe(before)
    expect((await served.call('HEAD', '/stream', { token: null })).status).toBe(401)
  })

  it('drops a client that never reads once its backlog passes streamBacklogBytes, and keeps readers', async () => {
    const served = await serve({ streamBacklogBytes: 64 * 1024 })
    const before = served.store.status().observers
    const reader = await openStream(served.url)
    await reader.next()
    const stalled = await rawSocket(
      served.address,
      `GET /config/stream HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${READ}\r\n\r\n`,
    )
    stalled.pause()
    await until(() => served.store.status().observers === before + 2)
    const big = 'x'.repeat(50_000)
    let commits = 0
    // Socket buffers take a few MB first; the bound is on what waits beyond them.
    while (served.store.status().observers > before + 1 && commits < 2000) {
      await served.store.set('tags', [`${commits}${big}`])
      commits++
      await new Promise((r) => setImmediate(r))
    }
    expect(served.store.status().observers).toBe(before + 1)
    const closed = closedByServer(stalled)
    stalled.resume()
    await closed
    // The reading client got every commit, in order.
    for (let i = 0; i < commits; i++) expect((await reader.next())?.id).toBe(String(i + 2))
    reader.close()
  })

  it('answers 503 with Retry-After beyond maxStreams, and admits again once a stream ends', async () => {
    const served = await serve({ maxStreams: 2 })
    const first = await openStream(served.url)
    const second = await openStream(served.url)
    await first.next()
    await second.next()
    const refused = await served.call('GET', '/stream', { token: READ })
    await expectProblem(refused, 503, 'TOO_MANY_STREAMS')
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    const before = served.store.status().observers
    first.close()
    await until(() => served.store.status().observers === before - 1)
    const third = await openStream(served.url)
    expect((await third.next())?.event).toBe('ready')
    second.close()
    third.close()
  })

  it('emits no MaxListenersExceededWarning with many open streams', async () => {
    const warnings: Error[] = []
    const onWarning = (w: Error) => warnings.push(w)
    process.on('warning', onWarning)
    try {
      const served = await serve()
      const streams = await Promise.all(Array.from({ length: 30 }, () => openStream(served.url)))
      for (const stream of streams) await stream.next()
      await commit(served, 20)
      for (const stream of streams) expect((await stream.next())?.event).toBe('change')
      await served.store.close()
      for (const stream of streams) expect(await stream.next()).toBeUndefined()
      await new Promise((r) => setTimeout(r, 10))
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([])
  })
})

async function readUntil(res: Response, marker: string): Promise<string> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  let text = ''
  while (!text.includes(marker)) {
    const { done, value } = await reader.read()
    if (done) break
    text += value
  }
  await reader.cancel()
  return text
}
