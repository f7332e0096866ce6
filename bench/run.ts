// `npm run bench [-- --quick] [-- --only 1,6]`: the measures of issues 8 and 23, each in a fresh process (its own
// heap and JIT), side by side with the peers. Prints the summary and the full table on stdout (progress goes to
// stderr) and writes bench/results/latest.json; a full run also refreshes both in bench/README.md.
// `npm run bench -- --render` measures nothing: it rewrites bench/README.md from bench/results/latest.json.
import { execFileSync, fork } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import { type MeasureContext, type MeasureOutput, type MeasureRun, Unavailable } from './measure.ts'
import { INSTALL_HINT, PEERS, peersDir, peerVersion } from './peers.ts'
import { renderSummary } from './summary.ts'
import { na, type Row, renderTable } from './table.ts'

/** Every measure of the issue, in table order. */
const MEASURES = [
  { id: 1, file: 'read.ts', title: 'read `db.pool.max`' },
  { id: 2, file: 'update.ts', title: 'one-key committed update' },
  { id: 3, file: 'scaling.ts', title: 'update cost from 100 to 100,000 keys' },
  { id: 4, file: 'throughput.ts', title: 'commits per second' },
  { id: 5, file: 'history-heap.ts', title: 'heap of 1,000 history entries' },
  { id: 6, file: 'reload.ts', title: 'file save → `changes$`' },
  { id: 7, file: 'http.ts', title: 'HTTP admin API' },
  { id: 8, file: 'cold-start.ts', title: 'cold start' },
  { id: 9, file: 'reload-size.ts', title: 'reload after a one-key edit, 100 vs 10,000 keys' },
] as const

/** What a measure's process sends back. */
type Sent =
  | ({ readonly status: 'ok' } & MeasureOutput)
  | { readonly status: 'n/a'; readonly why: string }
  | { readonly status: 'failed'; readonly error: string }
type Outcome = Sent & { readonly ms: number }

/** What results/*.json holds besides the outcomes. */
interface Machine {
  readonly node: string
  readonly cpu: string
  readonly cores: number
  readonly date: string
  readonly quick: boolean
  readonly rounds: number
  readonly durationSeconds: number
  readonly peers: Record<string, string>
  readonly source: { commit: string; srcChanged: boolean } | 'unknown'
}

/** hotconf's own dependencies (and the admin app's server), whose versions the figures depend on. */
const LIBRARIES = ['zod', 'immer', 'xstate', 'rxjs', 'hono', '@hono/node-server'] as const
const ROUNDS = 5
const QUICK_ROUNDS = 2
const SUMMARY_BLOCK = 'bench:summary'
const RESULTS_BLOCK = 'bench:results'
const NOT_INSTALLED = 'not installed'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const measureArg = flagValue('--measure')
if (measureArg) await runChild(Number(measureArg))
else if (args.includes('--render')) render()
else await runAll()

// --- internal ---

async function runAll(): Promise<void> {
  const only = flagValue('--only')
    ?.split(',')
    .map((s) => Number(s.trim()))
  const selected = MEASURES.filter((m) => !only || only.includes(m.id))
  const started = Date.now()
  const peersMissing = !existsSync(peersDir)
  if (peersMissing) {
    console.error(
      `\nbench/node_modules is missing: the peers (${PEERS.join(', ')}) are not installed, so their cells ` +
        `say n/a and measure 7 (autocannon) cannot run. To compare with them, ${INSTALL_HINT}.\n`,
    )
  }
  const outcomes: Record<number, Outcome> = {}
  for (const m of selected) {
    console.error(`\n[${m.id}/${MEASURES.length}] ${m.title}`)
    outcomes[m.id] = await inChild(m.id, quick ? 90_000 : 150_000)
    console.error(
      `[${m.id}/${MEASURES.length}] ${outcomes[m.id]!.status} in ${(outcomes[m.id]!.ms / 1000).toFixed(1)} s`,
    )
  }
  const machine: Machine & Record<string, unknown> = {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
    quick,
    rounds: quick ? QUICK_ROUNDS : ROUNDS,
    durationSeconds: (Date.now() - started) / 1000,
    peers: Object.fromEntries(PEERS.map((p) => [p, peerVersion(p) ?? NOT_INSTALLED])),
    libraries: Object.fromEntries(LIBRARIES.map((name) => [name, rootVersion(name)])),
    source: sourceState(),
  }
  const rows = rowsOf(selected, outcomes)
  const header = headerOf(machine)
  console.log(`\n${header}\n\n${renderSummary(rows)}\n\n${renderTable(rows)}\n`)

  const results = new URL('./results/', import.meta.url)
  mkdirSync(results, { recursive: true })
  const name = quick ? 'quick.json' : only ? 'partial.json' : 'latest.json'
  writeFileSync(new URL(name, results), `${JSON.stringify({ ...machine, measures: outcomes }, null, 2)}\n`)
  console.error(`written bench/results/${name}`)
  if (!quick && !only) writeReadme(header, rows)
  if (Object.values(outcomes).some((o) => o.status === 'failed')) process.exitCode = 1
}

/** `--render`: bench/README.md from the last full run's results, without measuring anything. */
function render(): void {
  const file = new URL('./results/latest.json', import.meta.url)
  const { measures, ...machine } = JSON.parse(readFileSync(file, 'utf8')) as Machine & {
    measures: Record<number, Outcome>
  }
  writeReadme(headerOf(machine), rowsOf(MEASURES, measures))
}

/** Every measure's rows; one that did not run gets a row saying why. */
function rowsOf(
  selected: readonly (typeof MEASURES)[number][],
  outcomes: Readonly<Record<number, Outcome>>,
): Row[] {
  return selected.flatMap((m): Row[] => {
    const o = outcomes[m.id]
    if (!o) return []
    if (o.status === 'ok') return o.rows
    if (o.status === 'n/a') return [{ id: m.id, label: m.title, value: na(o.why) }]
    return [{ id: m.id, label: m.title, value: { na: `failed: ${o.error.split('\n')[0]}` } }]
  })
}

/** The line above the tables: what was measured, where, when, and how. */
function headerOf(machine: Machine): string {
  const at =
    machine.source === 'unknown'
      ? ''
      : ` at ${machine.source.commit.slice(0, 7)}${machine.source.srcChanged ? ' (+ uncommitted src/ changes)' : ''}`
  const peersMissing = Object.values(machine.peers).every((version) => version === NOT_INSTALLED)
  return (
    `hotconf${at}; Node ${machine.node}, ${machine.cpu} × ${machine.cores}, ${machine.date.slice(0, 10)}; ` +
    `${machine.rounds} interleaved rounds per figure` +
    `${machine.quick ? ' (--quick smoke run: not figures to quote)' : ''}; ` +
    `whole run ${machine.durationSeconds.toFixed(0)} s.` +
    (peersMissing ? ` Peers not installed (${INSTALL_HINT}).` : '')
  )
}

/** Runs one measure in a fresh process and gets its outcome over IPC. */
function inChild(id: number, timeoutMs: number): Promise<Outcome> {
  const t0 = Date.now()
  return new Promise((resolve) => {
    const child = fork(
      fileURLToPath(import.meta.url),
      ['--measure', String(id), ...(quick ? ['--quick'] : [])],
      {
        execArgv: ['--conditions=@hotconf/source', '--import', 'tsx', '--expose-gc'],
        // The child's stdout joins our stderr: peers that print must not get into the table.
        stdio: ['ignore', 2, 2, 'ipc'],
      },
    )
    let outcome: Outcome | undefined
    const timer = setTimeout(() => {
      outcome ??= { status: 'failed', error: `timed out after ${timeoutMs / 1000} s`, ms: timeoutMs }
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('message', (message) => {
      outcome ??= { ...(message as Sent), ms: Date.now() - t0 }
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve(outcome ?? { status: 'failed', error: `exited with ${code ?? signal}`, ms: Date.now() - t0 })
    })
  })
}

async function runChild(id: number): Promise<void> {
  const entry = MEASURES.find((m) => m.id === id)
  if (!entry) throw new Error(`no measure ${id}`)
  const ctx: MeasureContext = {
    quick,
    rounds: quick ? QUICK_ROUNDS : ROUNDS,
    log: (message) => process.stderr.write(`${message}\n`),
  }
  let outcome: Sent
  try {
    const { run } = (await import(`./${entry.file}`)) as { run: MeasureRun }
    outcome = { status: 'ok', ...(await run(ctx)) }
  } catch (error) {
    outcome =
      error instanceof Unavailable
        ? { status: 'n/a', why: error.message }
        : { status: 'failed', error: (error as Error).stack ?? String(error) }
    if (outcome.status === 'failed') ctx.log(outcome.error)
  }
  // Exit once the outcome is sent: a measure may leave watchers or sockets behind when it fails half-way.
  process.send!(outcome, () => process.exit(0))
}

/** Replaces the summary and the full table in bench/README.md (between their `<!-- bench:… -->` markers). */
function writeReadme(header: string, rows: readonly Row[]): void {
  const readme = new URL('./README.md', import.meta.url)
  let text = readFileSync(readme, 'utf8')
  for (const [name, block] of [
    [SUMMARY_BLOCK, `${header}\n\n${renderSummary(rows)}`],
    [RESULTS_BLOCK, renderTable(rows)],
  ] as const) {
    const start = text.indexOf(`<!-- ${name}:start -->`)
    const end = text.indexOf(`<!-- ${name}:end -->`)
    if (start < 0 || end < start) {
      console.error(`bench/README.md has no <!-- ${name}:start --> … end block: not written there`)
      continue
    }
    text = `${text.slice(0, start + `<!-- ${name}:start -->`.length)}\n${block}\n${text.slice(end)}`
  }
  writeFileSync(readme, text)
  // The project's formatter aligns markdown tables; without this pass `npm run lint` would fail on the new table.
  try {
    const biome = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url))
    execFileSync(biome, ['format', '--write', fileURLToPath(readme)], { stdio: 'ignore' })
  } catch {
    console.error('could not format bench/README.md with biome: run `npm run format`')
  }
  console.error('written bench/README.md')
}

/** The commit measured, and whether src/ had changes not committed yet (read-only git). */
function sourceState(): { commit: string; srcChanged: boolean } | 'unknown' {
  try {
    const git = (...gitArgs: string[]) => execFileSync('git', gitArgs, { encoding: 'utf8' }).trim()
    return { commit: git('rev-parse', 'HEAD'), srcChanged: git('status', '--porcelain', '--', 'src') !== '' }
  } catch {
    return 'unknown'
  }
}

function rootVersion(name: string): string {
  try {
    const file = new URL(`../node_modules/${name}/package.json`, import.meta.url)
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
  } catch {
    return 'not installed'
  }
}

function flagValue(flag: string): string | undefined {
  const i = args.indexOf(flag)
  return i >= 0 ? args[i + 1] : undefined
}
