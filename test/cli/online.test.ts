import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type ContractProxy, contractProxy } from '../adapters/http/contract-proxy.ts'
import { ADMIN, contractOf, READ, type Served, serveTestStore, WRITE } from '../adapters/http/fixture.ts'
import { useTempDirs } from '../support/temp-dir.ts'
import { type CliOptions, hotconf } from './run-cli.ts'

const tempDir = useTempDirs('hotconf-cli-')
let served: Served

/** Where the CLI calls the API: every exchange is checked against the OpenAPI document (#24). */
let api: ContractProxy

beforeEach(async () => {
  served = await serveTestStore()
  api = await contractProxy(served.url, contractOf(served.url))
})
afterEach(async () => {
  await api.close()
  await served.store.close()
  // The CLI uses nothing the document does not describe.
  expect(api.problems).toEqual([])
})

/** `hotconf` against the served store, with a token of the given role in HOTCONF_TOKEN. */
function as(token: string, args: readonly string[], options: CliOptions = {}) {
  return hotconf(args, { ...options, env: { HOTCONF_URL: api.url, HOTCONF_TOKEN: token, ...options.env } })
}

// Every test starts Node processes that compile TypeScript: slow on a busy 2-core machine.
describe('the online commands against a real admin API (#19)', { timeout: 180_000 }, () => {
  it('get reads the config and one value, with the token from a flag, the environment or a file', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'token'), `${READ}\n`)
    const [value, whole, byFlag, byFile] = await Promise.all([
      as(READ, ['get', 'pool.max']),
      as(READ, ['get', '--json']),
      hotconf(['get', 'name', '--url', api.url, '--token', READ]),
      hotconf(['get', 'pool', '--json'], {
        env: { HOTCONF_URL: api.url, HOTCONF_TOKEN_FILE: join(dir, 'token') },
      }),
    ])
    expect(value).toMatchObject({ code: 0, stdout: '10\n' })
    expect(JSON.parse(whole.stdout)).toMatchObject({ pool: { max: 10 }, apiKey: '[redacted]' })
    expect(byFlag).toMatchObject({ code: 0, stdout: 'svc\n' })
    expect(JSON.parse(byFile.stdout)).toEqual({ min: 2, max: 10 })
  })

  it('set --ttl makes the override expire, and status lists it (#20)', async () => {
    const set = await as(WRITE, ['set', 'pool.max', '20', '--reason', 'debugging', '--ttl', '15m'])
    expect(set).toMatchObject({ code: 0 })
    const [expiring] = served.store.status().expiring
    expect(expiring).toMatchObject({ path: 'pool.max', revision: 2 })
    const [status, bad] = await Promise.all([
      as(READ, ['status']),
      as(WRITE, ['set', 'pool.max', '21', '--reason', 'x', '--ttl', '15 minutes']),
    ])
    expect(status.stdout).toContain(`expires      pool.max at ${expiring!.at.toISOString()} (set at #2)`)
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringMatching(/ttl must be a positive integer/) })
  })

  it('set --probation puts the change on probation; probation lists it and reverts or confirms it (#20)', async () => {
    const set = await as(WRITE, [
      'set',
      'pool.max',
      '20',
      '--reason',
      'try',
      '--probation',
      '5m',
      '--ttl',
      '1h',
    ])
    expect(set).toMatchObject({ code: 0 })
    const [pending] = served.store.status().probation
    expect(pending).toMatchObject({ revision: 2, source: 'http', paths: ['pool.max'] })
    const [list, status] = await Promise.all([as(READ, ['probation']), as(READ, ['status'])])
    const line = `#2 (http) until ${pending!.until.toISOString()}: pool.max`
    expect(list.stdout).toBe(`${line}
`)
    expect(status.stdout).toContain(`probation    ${line}`)
    const revert = await as(WRITE, ['probation', 'revert', '2', '--reason', 'p99 doubled'])
    expect(revert).toMatchObject({ code: 0, stdout: expect.stringContaining('pool.max: 20 → 10') })
    expect(served.store.history({ limit: 1 })[0]).toMatchObject({ rollbackOf: 2 })
    await served.store.set('pool.min', 3, { probation: { forMs: 60_000, check: () => false } })
    const checked = await as(WRITE, ['probation', 'check'])
    expect(checked).toMatchObject({ code: 0, stdout: 'nothing is on probation\n' })
    expect(served.store.current.pool.min).toBe(2)
    const [none, missing, bad] = await Promise.all([
      as(READ, ['probation']),
      as(WRITE, ['probation', 'confirm', '2', '--reason', 'fine']),
      as(WRITE, ['probation', 'keep', '2', '--reason', 'x']),
    ])
    expect(none.stdout).toBe('nothing is on probation\n')
    expect(missing).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/revision 2 is not on probation/),
    })
    expect(bad).toMatchObject({ code: 2 })
  })

  it('set writes with who and why; exit 1 when rejected, 2 without --reason', async () => {
    const set = await as(WRITE, ['set', 'pool.max', '20', '--reason', 'traffic spike', '--actor', 'alice'])
    expect(set).toMatchObject({
      code: 0,
      stdout: 'committed #2 (undo: hotconf rollback 1)\n  pool.max: 10 → 20\n',
    })
    expect(served.store.history({ limit: 1 })[0]).toMatchObject({
      actor: 'writer',
      reason: 'cli:alice: traffic spike',
    })
    const [string, invalid, noReason] = await Promise.all([
      as(WRITE, ['set', 'db.host', 'db.internal', '--reason', 'move', '--json']),
      as(WRITE, ['set', 'pool.max', '5000', '--reason', 'too many']),
      as(WRITE, ['set', 'pool.max', '30']),
    ])
    expect(JSON.parse(string.stdout)).toMatchObject({
      status: 'committed',
      changes: [{ path: 'db.host', to: 'db.internal' }],
    })
    expect(invalid).toMatchObject({ code: 1, stderr: expect.stringMatching(/rejected: Too big/) })
    expect(noReason).toMatchObject({ code: 2, stderr: expect.stringMatching(/--reason is required/) })
  })

  it('401 and 403 are exit 3 with a clear message, and no output ever holds the token', async () => {
    const runs = await Promise.all([
      hotconf(['get'], { env: { HOTCONF_URL: api.url } }),
      as('not-a-token-0123456789', ['get']),
      as(READ, ['set', 'pool.max', '20', '--reason', 'r']),
      as(WRITE, ['rollback', '1', '--reason', 'r']),
      hotconf(['get', '--url', api.url, '--token', 'wrong-token-0123456789abc']),
    ])
    expect(runs.map((r) => r.code)).toEqual([3, 3, 3, 3, 3])
    expect(runs[0]?.stderr).toMatch(/not authorised \(401\): no token: pass --token or set HOTCONF_TOKEN/)
    expect(runs[1]?.stderr).toMatch(/not authorised \(401\): the token was refused/)
    expect(runs[2]?.stderr).toMatch(/forbidden \(403\): token "reader" has role read; this needs write/)
    expect(runs[3]?.stderr).toMatch(/forbidden \(403\): .*needs admin/)
    const printed = runs.map((r) => r.stdout + r.stderr).join('')
    for (const token of ['not-a-token-0123456789', READ, WRITE, 'wrong-token-0123456789abc'])
      expect(printed).not.toContain(token)
  })

  it('--if-revision is If-Match: the live revision commits, a stale one is exit 4', async () => {
    await served.store.set('pool.max', 11)
    const stale = await as(WRITE, ['set', 'pool.max', '12', '--reason', 'r', '--if-revision', '1'])
    expect(stale).toMatchObject({ code: 4, stderr: expect.stringMatching(/conflict \(412\)/) })
    const live = await as(WRITE, ['patch', '--reason', 'r', '--if-revision', '2'], {
      input: '{"pool":{"max":12}}',
    })
    expect(live.code).toBe(0)
    expect(served.store.current.pool.max).toBe(12)
  })

  it('patch and validate read a merge patch from a file or standard input', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'patch.json'), '{"pool":{"min":4},"tags":["a"]}')
    const dry = await as(READ, ['validate', '-f', join(dir, 'patch.json')])
    expect(dry).toMatchObject({
      code: 0,
      stdout: 'valid; it would change:\n  pool.min: 2 → 4\n  tags: [] → ["a"]\n',
    })
    const bad = await as(READ, ['validate'], { input: '{"pool":{"min":50}}' })
    expect(bad).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/would be rejected: pool.min must be <= pool.max/),
    })
    const notJson = await as(WRITE, ['patch', '--reason', 'r'], { input: '{pool' })
    expect(notJson).toMatchObject({ code: 2, stderr: expect.stringMatching(/standard input is not JSON/) })
    const patch = await as(WRITE, ['patch', '-f', join(dir, 'patch.json'), '--reason', 'r'])
    expect(patch.code).toBe(0)
    expect(served.store.current).toMatchObject({ pool: { min: 4 }, tags: ['a'] })
  })

  it('history, events and diff show what changed, who did it and why', async () => {
    await served.store.set('pool.max', 20, { actor: 'ops', reason: 'spike' })
    await served.store.set('pool.max', 5000)
    await served.store.set('pool.min', 3)
    const [history, events, diff, back] = await Promise.all([
      as(READ, ['history', '--limit', '1']),
      as(READ, ['events', '--json']),
      as(READ, ['diff', '1']),
      as(READ, ['diff', '3', '2']),
    ])
    expect(history.stdout).toMatch(/^#3 {2}\S+ {2}via api\n {2}pool\.min: 2 → 3\n$/)
    expect((JSON.parse(events.stdout) as { status: string }[]).map((e) => e.status)).toEqual([
      'committed',
      'rejected',
      'committed',
    ])
    expect(diff.stdout).toBe('pool.max: 10 → 20\npool.min: 2 → 3\n')
    expect(back.stdout).toBe('pool.min: 3 → 2\n')
    const gone = await as(READ, ['diff', '0'])
    expect(gone).toMatchObject({ code: 1, stderr: expect.stringMatching(/no longer reaches from #0/) })
  })

  it('snapshot, snapshots, rollback to a snapshot or a revision, reset', async () => {
    const snap = await as(WRITE, ['snapshot', '--label', 'before', '--json'])
    const { id } = JSON.parse(snap.stdout) as { id: string }
    await served.store.set('pool.max', 20)
    const list = await as(READ, ['snapshots'])
    expect(list.stdout).toMatch(new RegExp(`^${id} {2}#1 {2}\\S+ {2}before\\n$`))
    expect(await as(ADMIN, ['rollback', id, '--reason', 'undo'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('pool.max: 20 → 10'),
    })
    await served.store.set('pool.max', 30)
    expect((await as(ADMIN, ['rollback', '3', '--reason', 'again'])).code).toBe(0)
    expect(served.store.current.pool.max).toBe(10)
    expect(served.store.history({ limit: 1 })[0]).toMatchObject({ source: 'rollback', actor: 'boss' })
    await served.store.set('pool.max', 40)
    expect((await as(ADMIN, ['reset', 'pool', '--reason', 'back'])).code).toBe(0)
    expect(served.store.current.pool.max).toBe(10)
  })

  it('export, import, reload and status', async () => {
    const dir = await tempDir()
    const file = join(dir, 'backup.json')
    await served.store.set('pool.max', 20)
    expect((await as(READ, ['export', '--out', file])).code).toBe(0)
    expect(await readFile(file, 'utf8')).toContain('"apiKey": "[redacted]"')
    await served.store.set('pool.max', 30)
    const imported = await as(ADMIN, ['import', file, '--reason', 'restore'])
    expect(imported).toMatchObject({ code: 0, stdout: expect.stringContaining('pool.max: 30 → 20') })
    expect(served.store.current.apiKey).toBe('sk-live-4f9a2c7e1b')
    const [reload, status] = await Promise.all([as(WRITE, ['reload']), as(READ, ['status'])])
    expect(reload).toMatchObject({ code: 0, stdout: expect.stringMatching(/^unchanged at #\d+\n$/) })
    expect(status.stdout).toMatch(/^revision {5}#4 .*\nenvironment {2}test\n/)
  })

  it('cannot connect: exit 3 naming the URL; no URL: exit 2', async () => {
    const port = served.address.port
    await served.store.close()
    // Straight at the closed server: the proxy would answer for it.
    const [down, none] = await Promise.all([
      hotconf(['status'], { env: { HOTCONF_URL: served.url, HOTCONF_TOKEN: READ } }),
      hotconf(['status']),
    ])
    expect(down).toMatchObject({
      code: 3,
      stderr: expect.stringContaining(`cannot connect to http://127.0.0.1:${port}/config`),
    })
    expect(none).toMatchObject({ code: 2, stderr: expect.stringMatching(/pass --url or set HOTCONF_URL/) })
  })
})
