import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { expectProblem } from './expect-problem.ts'
import { ADMIN, API_KEY, DB_PASSWORD, etagOf, READ, type Served, serveTestStore, WRITE } from './fixture.ts'

const JSON_TYPE = { 'content-type': 'application/json' }

let s: Served

beforeEach(async () => {
  s = await serveTestStore()
})
afterEach(async () => {
  await s.store.close()
})

describe('admin API snapshots, rollback, reload, reset, export and import', () => {
  it('creates, lists, reads and deletes snapshots', async () => {
    await s.store.set('pool.max', 20)
    const created = await s.call('POST', '/snapshots', {
      token: WRITE,
      body: { label: 'before deploy', tags: ['deploy'] },
    })
    expect(created.status).toBe(201)
    const snap: any = await created.json()
    expect(snap).toMatchObject({
      revision: 2,
      label: 'before deploy',
      tags: ['deploy'],
      id: expect.any(String),
    })
    expect(created.headers.get('location')).toBe(`/config/snapshots/${snap.id}`)
    expect(await (await s.call('GET', '/snapshots', { token: READ })).json()).toEqual([snap])
    expect(await (await s.call('GET', '/snapshots?tag=other', { token: READ })).json()).toEqual([])
    expect(await (await s.call('GET', `/snapshots/${snap.id}`, { token: READ })).json()).toEqual(snap)
    expect((await s.call('DELETE', `/snapshots/${snap.id}`, { token: WRITE })).status).toBe(204)
    await expectProblem(await s.call('DELETE', `/snapshots/${snap.id}`, { token: WRITE }), 404, 'NOT_FOUND')
    await expectProblem(await s.call('GET', `/snapshots/${snap.id}`, { token: READ }), 404, 'NOT_FOUND')
  })

  it('answers 400 when a snapshot label or tags have the wrong type', async () => {
    await expectProblem(
      await s.call('POST', '/snapshots', { token: WRITE, body: { label: 1 } }),
      400,
      'BAD_REQUEST',
    )
    await expectProblem(
      await s.call('POST', '/snapshots', { token: WRITE, body: { tags: 'x' } }),
      400,
      'BAD_REQUEST',
    )
    await expectProblem(await s.call('POST', '/snapshots', { token: WRITE, body: [] }), 400, 'BAD_REQUEST')
  })

  it('answers 400 to a body of null where an envelope is optional (the fuzz test found it accepted as {})', async () => {
    for (const path of ['/snapshots', '/rollback', '/reset', '/reload']) {
      await expectProblem(await s.call('POST', path, { raw: 'null', headers: JSON_TYPE }), 400, 'BAD_REQUEST')
    }
    expect(s.store.snapshots()).toEqual([])
  })

  it('rolls back to a revision or a snapshot, with reason from the body', async () => {
    const snap: any = await s.store.snapshot({ label: 'one' })
    await s.store.set('pool.max', 20)
    await s.store.set('pool.max', 30)
    const res = await s.call('POST', '/rollback', { body: { revision: 2, reason: 'bad deploy' } })
    expect(await res.json()).toEqual({
      status: 'committed',
      revision: 4,
      changes: [{ path: 'pool.max', from: 30, to: 20 }],
      rollbackTo: 3,
    })
    expect(s.store.history({ limit: 1 })[0]).toMatchObject({
      actor: 'boss',
      reason: 'bad deploy',
      rollbackOf: 2,
    })
    const toSnap = await s.call('POST', '/rollback', { body: { snapshot: snap.id } })
    expect(await toSnap.json()).toMatchObject({
      status: 'committed',
      revision: 5,
      changes: [{ path: 'pool.max', from: 20, to: 10 }],
    })
  })

  it('answers rollback with 404 for an unknown target and 400 for a malformed one', async () => {
    await expectProblem(await s.call('POST', '/rollback', { body: { revision: 99 } }), 404, 'NOT_FOUND')
    await expectProblem(await s.call('POST', '/rollback', { body: { snapshot: 'nope' } }), 404, 'NOT_FOUND')
    for (const body of [
      {},
      { revision: 1, snapshot: 'x' },
      { revision: 0 },
      { revision: '1' },
      { snapshot: '' },
    ]) {
      await expectProblem(await s.call('POST', '/rollback', { body }), 400, 'BAD_REQUEST')
    }
    await expectProblem(
      await s.call('POST', '/rollback', { raw: 'x', headers: { 'content-type': 'text/plain' } }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    )
  })

  it('answers rollback with 412 when If-Match is stale', async () => {
    await s.store.set('pool.max', 20)
    await expectProblem(
      await s.call('POST', '/rollback', { body: { revision: 1 }, headers: { 'if-match': etagOf(s, 1) } }),
      412,
      'STALE_REVISION',
    )
    expect(s.store.current.pool.max).toBe(20)
  })

  it('reloads without a body, as unchanged when the sources did not change', async () => {
    const res = await s.call('POST', '/reload', { token: WRITE })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'unchanged', revision: 1, changes: [] })
  })

  it('resets every override, or those under a path', async () => {
    await s.store.update({ pool: { max: 20 }, db: { host: 'db.internal' } })
    const pool = await s.call('POST', '/reset', { body: { path: 'pool' } })
    expect(await pool.json()).toMatchObject({
      status: 'committed',
      changes: [{ path: 'pool.max', from: 20, to: 10 }],
    })
    const all: any = await s.call('POST', '/reset', { headers: { 'x-reason': 'clean slate' } })
    expect(await all.json()).toMatchObject({
      status: 'committed',
      changes: [{ path: 'db.host', from: 'db.internal', to: 'localhost' }],
    })
    expect(s.store.history({ limit: 1 })[0]?.reason).toBe('clean slate')
    await expectProblem(await s.call('POST', '/reset', { body: { path: 'a..b' } }), 400, 'INVALID')
    await expectProblem(await s.call('POST', '/reset', { body: { path: 3 } }), 400, 'BAD_REQUEST')
  })

  it('answers 404 to a reset of a path the schema cannot have (#16)', async () => {
    await expectProblem(await s.call('POST', '/reset', { body: { path: 'pool.maxx' } }), 404, 'NOT_FOUND')
  })

  it('exports redacted, and with secrets only for an admin who asks', async () => {
    const plain = await s.call('GET', '/export', { token: READ })
    expect(plain.status).toBe(200)
    expect(plain.headers.get('cache-control')).toBe('no-store')
    const doc: any = await plain.json()
    expect(doc).toMatchObject({
      revision: 1,
      environment: 'test',
      config: { apiKey: '[redacted]', name: 'svc' },
    })
    await expectProblem(
      await s.call('GET', '/export?includeSecrets=true', { token: WRITE }),
      403,
      'FORBIDDEN',
    )
    const full: any = await (await s.call('GET', '/export?includeSecrets=true', { token: ADMIN })).json()
    expect(full.config).toMatchObject({ apiKey: API_KEY, db: { password: DB_PASSWORD } })
    await expectProblem(
      await s.call('GET', '/export?includeSecrets=maybe', { token: ADMIN }),
      400,
      'BAD_REQUEST',
    )
  })

  it('imports an export, keeping live secrets where the export redacted them', async () => {
    const doc: any = await (await s.call('GET', '/export', { token: READ })).json()
    doc.config.pool.max = 42
    const res = await s.call('POST', '/import', { body: { ...doc, reason: 'restore' } })
    expect(await res.json()).toEqual({
      status: 'committed',
      revision: 2,
      changes: [{ path: 'pool.max', from: 10, to: 42 }],
      rollbackTo: 1,
    })
    expect(s.store.current.apiKey).toBe(API_KEY)
    expect(s.store.history({ limit: 1 })[0]?.reason).toBe('restore')
  })

  it('answers import with 400 when it is not an export document and 422 when its config is invalid', async () => {
    await expectProblem(await s.call('POST', '/import', { body: { pool: { max: 1 } } }), 400, 'BAD_REQUEST')
    await expectProblem(await s.call('POST', '/import', {}), 400, 'BAD_REQUEST')
    const doc: any = await (await s.call('GET', '/export', { token: READ })).json()
    doc.config.pool.max = -5
    await expectProblem(await s.call('POST', '/import', { body: doc }), 422, 'INVALID')
    expect(s.store.revision).toBe(1)
  })

  it('records each write with the source the API gives it: http for updates, the intent for the rest (#16)', async () => {
    const exported: any = await (await s.call('GET', '/export', { token: ADMIN })).json()
    const steps: [string, () => Promise<Response>][] = [
      ['http', () => s.call('PATCH', '', { token: WRITE, body: { pool: { max: 20 } } })],
      ['http', () => s.call('PUT', '/values/pool.max', { token: WRITE, body: 21 })],
      ['rollback', () => s.call('POST', '/rollback', { body: { revision: 2 } })],
      ['reset', () => s.call('POST', '/reset', { body: { path: 'pool' } })],
      [
        'import',
        () => s.call('POST', '/import', { body: { ...exported, config: { ...exported.config, name: 'x' } } }),
      ],
      ['reload', () => s.call('POST', '/reload', { token: WRITE })],
    ]
    for (const [source, step] of steps) {
      expect((await step()).status).toBe(200)
      expect(s.store.events({ limit: 1 })[0]).toMatchObject({ source, actor: expect.any(String) })
    }
    // The same intents through the API record the same sources.
    await s.store.rollback(2)
    expect(s.store.history({ limit: 1 })[0]?.source).toBe('rollback')
    expect(s.store.history().map((e) => e.source)).toEqual([
      'rollback',
      'import',
      'reset',
      'rollback',
      'http',
      'http',
    ])
  })
})
