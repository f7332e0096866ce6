// Measure 1: reading `db.pool.max` from a ~30-key config, ns/op, against a frozen plain object and the peers.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type MeasureRun, need, quietLogger } from './measure.ts'
import { loadPeer } from './peers.ts'
import { type Case, checkSink, interleave } from './rounds.ts'
import { convictSmall, deepFreeze, POOL_MAX, smallConfig, smallSchema } from './small-config.ts'
import { mapSummary, perRound, type Summary, summarize } from './stats.ts'
import { atLeast, atMost, figure, na, type Row, type Verdict } from './table.ts'

export const run: MeasureRun = async ({ quick, rounds, log }) => {
  const { createConfigStore } = await need(() => import('../src/index.ts'), 'the core store', [
    'createConfigStore',
  ])
  const dir = await mkdtemp(join(tmpdir(), 'hotconf-bench-read-'))
  const store = await createConfigStore({ schema: smallSchema, initial: smallConfig(), logger: quietLogger })
  const frozen = deepFreeze(smallConfig())
  const cases: Case[] = [
    {
      name: 'frozen',
      run(n) {
        let sink = 0
        for (let i = 0; i < n; i++) sink += frozen.db.pool.max
        checkSink('frozen', sink, n * POOL_MAX)
      },
    },
    {
      name: 'current',
      run(n) {
        let sink = 0
        for (let i = 0; i < n; i++) sink += store.current.db.pool.max
        checkSink('current', sink, n * POOL_MAX)
      },
    },
    {
      name: 'get',
      run(n) {
        let sink = 0
        for (let i = 0; i < n; i++) sink += store.get('db.pool.max')
        checkSink('get', sink, n * POOL_MAX)
      },
    },
  ]
  const peers = await peerReaders(dir)
  for (const peer of Object.values(peers)) if (typeof peer !== 'string') cases.push(peer)

  log(`read: ${cases.length} readers, ${rounds} rounds`)
  const timings = await interleave(cases, { rounds, sampleMs: quick ? 10 : 100, log })
  await store.close()
  await rm(dir, { recursive: true, force: true })

  const ns = (name: string) => mapSummary(summarize(timings[name]!.msPerOp), (ms) => ms * 1e6)
  const xFrozen = (name: string) => ({
    label: '×frozen',
    summary: summarize(perRound(timings[name]!.msPerOp, timings.frozen!.msPerOp)),
  })
  const row = (name: string, label: string, target?: (x: Summary) => Verdict): Row => {
    const cell = peers[name]
    if (typeof cell === 'string') return { id: 1, label, value: na(cell) }
    const ratio = xFrozen(name)
    return {
      id: 1,
      label,
      value: figure(ns(name), 'ns/op'),
      ratio,
      ...(target ? { target: target(ratio.summary) } : {}),
    }
  }
  const peerOverGet = (name: string, label: string, target?: number): Row => {
    const cell = peers[name]
    if (typeof cell === 'string') return { id: 1, label, value: na(cell) }
    const ratio = { label: '÷', summary: summarize(perRound(timings[name]!.msPerOp, timings.get!.msPerOp)) }
    return {
      id: 1,
      label,
      value: figure(ns(name), 'ns/op'),
      ratio,
      ...(target ? { target: atLeast(`≥ ${target}× slower than \`get\``, ratio.summary, target) } : {}),
    }
  }
  const rows: Row[] = [
    row('frozen', 'frozen plain object `o.db.pool.max`'),
    row('current', 'hotconf `store.current.db.pool.max`', (r) => atMost('≤ 1.1× frozen', r, 1.1)),
    row('get', "hotconf `store.get('db.pool.max')`", (r) => atMost('≤ 3× frozen', r, 3)),
    row('node-config get', "node-config `config.get('db.pool.max')`"),
    row('node-config proxy', 'node-config `config.db.pool.max` (Proxy)'),
    row('convict get', "convict `conf.get('db.pool.max')`"),
    row('nconf get', "nconf `nconf.get('db:pool:max')` (argv+env+file)"),
    peerOverGet('node-config get', 'node-config `get` ÷ hotconf `get`', 10),
    peerOverGet('convict get', 'convict `get` ÷ hotconf `get`'),
    peerOverGet('nconf get', 'nconf `get` ÷ hotconf `get`'),
  ]
  return { rows, raw: { timings, unit: 'ms per op' } }
}

// --- internal ---

/** The peers' readers, each its own loop; a string says why one cannot run. */
async function peerReaders(dir: string): Promise<Record<string, Case | string>> {
  const json = JSON.stringify(smallConfig())
  await writeFile(join(dir, 'default.json'), json)
  await writeFile(join(dir, 'nconf.json'), json)
  const out: Record<string, Case | string> = {}

  // node-config reads NODE_CONFIG_DIR once, when it is first required.
  process.env.NODE_CONFIG_DIR = dir
  process.env.SUPPRESS_NO_CONFIG_WARNING = '1'
  const nodeConfig = await loadPeer('config')
  if (!nodeConfig.ok) {
    out['node-config get'] = nodeConfig.why
    out['node-config proxy'] = nodeConfig.why
  } else {
    const config = nodeConfig.module
    out['node-config get'] = {
      name: 'node-config get',
      run(n) {
        let sink = 0
        for (let i = 0; i < n; i++) sink += config.get('db.pool.max')
        checkSink('node-config get', sink, n * POOL_MAX)
      },
    }
    out['node-config proxy'] = {
      name: 'node-config proxy',
      run(n) {
        let sink = 0
        for (let i = 0; i < n; i++) sink += config.db.pool.max
        checkSink('node-config proxy', sink, n * POOL_MAX)
      },
    }
  }

  const convict = await loadPeer('convict')
  if (!convict.ok) out['convict get'] = convict.why
  else {
    const conf = convict.module(convictSmall())
    conf.loadFile(join(dir, 'default.json'))
    conf.validate({ allowed: 'strict' })
    out['convict get'] = {
      name: 'convict get',
      run(n) {
        let sink = 0
        for (let i = 0; i < n; i++) sink += conf.get('db.pool.max')
        checkSink('convict get', sink, n * POOL_MAX)
      },
    }
  }

  const nconf = await loadPeer('nconf')
  if (!nconf.ok) out['nconf get'] = nconf.why
  else {
    // The README's setup: command line, then environment, then the file.
    const provider = nconf.module
      .argv()
      .env()
      .file({ file: join(dir, 'nconf.json') })
    out['nconf get'] = {
      name: 'nconf get',
      run(n) {
        let sink = 0
        for (let i = 0; i < n; i++) sink += provider.get('db:pool:max')
        checkSink('nconf get', sink, n * POOL_MAX)
      },
    }
  }
  return out
}
