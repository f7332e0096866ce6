import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_KEY, DB_PASSWORD, openStream, READ, type Served, serveTestStore, WRITE } from './fixture.ts'

const NEW_KEY = 'sk-rotated-9d8c7b6a'
const NEW_PASSWORD = 'pw-rotated-QQ77zz'
const ALL = [API_KEY, DB_PASSWORD, NEW_KEY, NEW_PASSWORD]

let s: Served
beforeAll(async () => {
  s = await serveTestStore()
})
afterAll(async () => {
  await s.store.close()
})

function expectNoSecret(text: string, where: string) {
  for (const secret of ALL) expect(text.includes(secret), `${where} leaks ${secret}`).toBe(false)
}

describe('admin API secrets', () => {
  it('never shows a secret value in any response, event stream or metric when secrets change', async () => {
    const stream = await openStream(s.url)
    const seen: string[] = []
    const record = async (method: string, path: string, init: Parameters<Served['call']>[2] = {}) => {
      const res = await s.call(method, path, init)
      const text = await res.text()
      expectNoSecret(text, `${method} ${path}`)
      expectNoSecret(JSON.stringify([...res.headers]), `${method} ${path} headers`)
      seen.push(text)
      return { status: res.status, text }
    }
    s.store.participate(
      (next) => {
        if (next.pool.max === 999)
          throw new Error(`cannot apply with key ${next.apiKey} and ${next.db.password}`)
      },
      { paths: ['pool'] },
    )

    await record('PATCH', '', { token: WRITE, body: { apiKey: NEW_KEY, pool: { max: 20 } } })
    await record('PUT', '/values/db.password', { token: WRITE, body: NEW_PASSWORD })
    await record('PUT', '/values/db', { token: WRITE, body: { host: 'db2', password: DB_PASSWORD } })
    await record('PATCH', '', { token: WRITE, body: { apiKey: API_KEY, pool: { max: -1 } } })
    await record('PATCH', '', { token: WRITE, body: { apiKey: 12345678 } })
    const vetoed = await record('PATCH', '', { token: WRITE, body: { pool: { max: 999 } } })
    expect(vetoed.status).toBe(409)
    expect(vetoed.text).toContain('cannot apply with key [redacted]')
    await record('POST', '/validate', {
      token: READ,
      body: { apiKey: NEW_KEY, db: { password: NEW_PASSWORD } },
    })
    await record('POST', '/validate', { token: READ, body: { apiKey: 'short' } })
    await record('POST', '/snapshots', { token: WRITE })
    await record('POST', '/rollback', { body: { revision: 1 } })
    await record('POST', '/import', {
      body: { config: { name: 'svc', apiKey: NEW_KEY, db: { password: NEW_PASSWORD } } },
    })
    await record('POST', '/reset', { body: { path: 'db' } })
    for (const path of [
      '',
      '/values/apiKey',
      '/values/db',
      '/values/db.password',
      '/status',
      '/schema',
      '/schema?io=input',
    ]) {
      await record('GET', path, { token: READ })
    }
    for (const path of ['/history', '/events', '/snapshots', '/export', '/metrics'])
      await record('GET', path, { token: READ })

    // The stream carried every commit, redacted.
    const changes: string[] = []
    for (;;) {
      const event = await stream.next()
      if (event?.event === 'change') changes.push(event.data)
      if (Number(event?.id) === s.store.revision) break
    }
    stream.close()
    expectNoSecret(stream.raw.join(''), 'GET /stream')
    expect(changes.some((c) => c.includes('"apiKey"') && c.includes('[redacted]'))).toBe(true)
    // The test is only honest if the secrets really were live at some point.
    expect(s.store.history().some((e) => e.changes.some((c) => c.path === 'apiKey'))).toBe(true)
    expect(seen.join('\n')).toContain('[redacted]')
  })
})
