// `npm run bench`: runs every benchmark in its own process (a fresh heap and JIT each), prints their tables and
// writes bench/results/latest.json with the machine it ran on. `--quick` for a smoke run.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const quick = process.argv.includes('--quick')
const benches = [
  { name: 'core: reads, updates, scaling, throughput (#1–#4)', file: 'core.ts' },
  { name: 'against node-config, convict, nconf (#1, #2, #8)', file: 'peers.ts' },
  { name: 'history memory and rollback (#5)', file: 'history.ts' },
  { name: 'file save → changes$ (#6)', file: 'reload.ts' },
  { name: 'HTTP admin API (#7)', file: 'http.ts' },
]
const sections: Record<string, string> = {}
for (const bench of benches) {
  const path = join(here, bench.file)
  console.log(`\n## ${bench.name}\n`)
  if (!existsSync(path)) {
    console.log(`n/a: ${bench.file} is missing`)
    continue
  }
  const run = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--expose-gc', path, ...(quick ? ['--quick'] : [])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 240_000 },
  )
  const out = run.status === 0 ? run.stdout : `${run.stdout}\nfailed (exit ${run.status ?? run.signal})`
  console.log(out.trim())
  sections[bench.file] = out
}
mkdirSync(join(here, 'results'), { recursive: true })
const machine = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  date: new Date().toISOString(),
  quick,
}
writeFileSync(join(here, 'results', 'latest.json'), `${JSON.stringify({ ...machine, sections }, null, 2)}\n`)
console.log(`\nwritten bench/results/latest.json (${machine.node}, ${machine.cpu})`)
