// Measure 7: autocannon against hotconf's admin app (`GET /config`, `PATCH /config` of one key) and a bare Hono
// route returning the same JSON, served by @hono/node-server on 127.0.0.1 in a separate process. Short runs,
// bounded connections, loads interleaved round by round.
import { type ChildProcess, fork } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { ServersReady } from './http-servers.ts'
import { type MeasureRun, need } from './measure.ts'
import { loadPeer } from './peers.ts'
import { checkSink } from './rounds.ts'
import { perRound, summarize } from './stats.ts'
import { atLeast, figure, na, type Row } from './table.ts'

const CONNECTIONS = 10
/** autocannon's latency histogram counts whole milliseconds. */
const AUTOCANNON_RESOLUTION_MS = 1

interface Load {
  readonly name: string
  readonly label: string
  readonly url: string
  readonly method: 'GET' | 'PATCH'
  readonly headers: Record<string, string>
  /** A fresh body per request: every PATCH sets a value no earlier one set, so every one commits. */
  readonly body?: () => string
}

interface Figures {
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly requests: number
  readonly ok: number
  readonly non2xx: number
  readonly errors: number
}

export const run: MeasureRun = async ({ quick, rounds, log }) => {
  await need(() => import('../src/adapters/http/index.ts'), 'the HTTP admin app (src/adapters/http)', [
    'createAdminApp',
  ])
  const loaded = await loadPeer('autocannon')
  if (!loaded.ok) return { rows: [{ id: 7, label: 'HTTP admin API', value: na(loaded.why) }], raw: {} }
  const autocannon = loaded.module

  const { child, ready } = await startServers()
  try {
    const auth = { authorization: `Bearer ${ready.token}` }
    await sameBody(ready, auth)
    let next = 1_000
    const loads: Load[] = [
      {
        name: 'bare',
        label: 'bare Hono `GET /config` (same JSON)',
        url: ready.bare,
        method: 'GET',
        headers: {},
      },
      { name: 'get', label: 'hotconf admin `GET /config`', url: ready.admin, method: 'GET', headers: auth },
      {
        name: 'patch',
        label: 'hotconf admin `PATCH /config` (one key, commits)',
        url: ready.admin,
        method: 'PATCH',
        headers: { ...auth, 'content-type': 'application/merge-patch+json' },
        body: () => `{"pool":{"max":${next++}}}`,
      },
    ]
    const seconds = quick ? 1 : 3
    const blast = (load: Load, duration: number) => viaAutocannon(autocannon, load, duration)
    const revisionBefore = await revision(child)
    let patched = 0
    for (const load of loads) patched += ok(load, await blast(load, quick ? 0.5 : 1)) // warm-up
    const figures: Record<string, Figures[]> = Object.fromEntries(loads.map((l) => [l.name, []]))
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < loads.length; i++) {
        const load = loads[(i + r) % loads.length]!
        const result = await blast(load, seconds)
        patched += ok(load, result)
        figures[load.name]!.push(result)
      }
      log(`  round ${r + 1}/${rounds}`)
    }
    // Requests still in flight when a run ends may commit after autocannon stopped counting them.
    const commits = (await revision(child)) - revisionBefore
    if (commits < patched || commits > patched + CONNECTIONS * (rounds + 1) * loads.length) {
      throw new Error(`PATCH: ${patched} answered 2xx but the store committed ${commits} times`)
    }

    const rps = (name: string) => figures[name]!.map((f) => f.rps)
    const p99 = (name: string) => figures[name]!.map((f) => f.p99)
    const xBare = summarize(perRound(rps('get'), rps('bare')))
    const rows: Row[] = loads.flatMap((load): Row[] => [
      {
        id: 7,
        label: `${load.label}, throughput`,
        value: figure(summarize(rps(load.name)), 'req/s'),
        ...(load.name === 'get'
          ? { ratio: { label: '×bare', summary: xBare }, target: atLeast('≥ 0.8× bare', xBare, 0.8) }
          : {}),
      },
      {
        id: 7,
        label: `${load.label}, p99 latency`,
        value: figure(summarize(p99(load.name)), 'ms', AUTOCANNON_RESOLUTION_MS),
        // autocannon reports whole milliseconds: at 1–3 ms a p99 ratio is coarse, so it is given for GET only, and
        // not at all when the bare route's p99 rounds to 0 ms in some round (there is nothing to divide by).
        ...(load.name === 'get' && p99('bare').every((ms) => ms > 0)
          ? { ratio: { label: '×bare', summary: summarize(perRound(p99('get'), p99('bare'))) } }
          : {}),
      },
    ])
    rows.push(
      ...['node-config', 'convict', 'nconf'].map(
        (peer): Row => ({ id: 7, label: peer, value: na('no HTTP admin API') }),
      ),
    )
    return { rows, raw: { connections: CONNECTIONS, seconds, figures } }
  } finally {
    child.disconnect()
    await once(child, 'exit')
  }
}

// --- internal ---

async function startServers(): Promise<{ child: ChildProcess; ready: ServersReady }> {
  const child = fork(fileURLToPath(new URL('./http-servers.ts', import.meta.url)), [], {
    execArgv: ['--conditions=@hotconf/source', '--import', 'tsx'],
    stdio: ['ignore', 2, 2, 'ipc'],
  })
  const [ready] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`the servers exited with ${code}`))),
  ])) as [ServersReady]
  return { child, ready }
}

/** The bare route must answer byte for byte what the admin answers, or the comparison is not like for like. */
async function sameBody(ready: ServersReady, auth: Record<string, string>): Promise<void> {
  const [admin, bare] = await Promise.all([
    fetch(ready.admin, { headers: auth }).then((r) => r.text()),
    fetch(ready.bare).then((r) => r.text()),
  ])
  checkSink('the bare route answers the same JSON', bare, admin)
}

async function revision(child: ChildProcess): Promise<number> {
  const answer = once(child, 'message')
  child.send('revision')
  return ((await answer)[0] as { revision: number }).revision
}

/** The 2xx PATCHes of a run (each one a commit); any failure makes the whole measure fail. */
function ok(load: Load, f: Figures): number {
  if (f.non2xx > 0 || f.errors > 0) {
    throw new Error(`${load.label}: ${f.non2xx} non-2xx answers and ${f.errors} errors`)
  }
  return load.method === 'PATCH' ? f.ok : 0
}

async function viaAutocannon(autocannon: any, load: Load, seconds: number): Promise<Figures> {
  const result = await autocannon({
    url: load.url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: load.method,
        headers: load.headers,
        ...(load.body ? { setupRequest: (req: object) => ({ ...req, body: load.body!() }) } : {}),
      },
    ],
  })
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  }
}
