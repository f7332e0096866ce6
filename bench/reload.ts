/**
 * Reload latency: from the end of a file save to the callback, for a plain write (`fs.writeFile`) and an atomic save
 * (temp file + `rename`). Subjects, measured in the same run, interleaved round by round:
 *
 * - raw `fs.watch` on the directory, filtered by file name (the floor);
 * - chokidar 5 alone, watching the file with its defaults (`change` or `add`);
 * - hotconf `watchFiles({ debounceMs: 0 })` and `watchFiles()` (100 ms): the commit on `changes$`, i.e. debounce,
 *   stability check, content hash, reading and parsing the YAML file, validation, and the transaction.
 *
 *   node --conditions=source --import tsx bench/reload.ts [--rounds 5] [--saves 20] [--quick]
 *
 * Prints, per subject and save kind, the median over rounds of each round's median (min–max of the round medians),
 * and the same for the difference to raw fs.watch measured in that round.
 */
import { type FSWatcher, watch } from 'node:fs'
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { z } from 'zod'
import { watchFiles } from '../src/adapters/file/index.ts'
import { createConfigStore } from '../src/index.ts'
import { fileSource } from '../src/sources/index.ts'

type SaveKind = 'writeFile' | 'rename'

/** Something that calls `fired` once per save it notices. */
interface Subject {
  readonly name: string
  /** Quiet time a subject needs between two saves so that they are not merged. */
  readonly gapMs: number
  open(file: string, fired: () => void): Promise<() => Promise<void>>
}

const args = new Map(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith('--') ? [[a.slice(2), all[i + 1]]] : [])),
)
const quick = args.has('quick')
const rounds = Number(args.get('rounds') ?? (quick ? 1 : 5))
const saves = Number(args.get('saves') ?? (quick ? 5 : 20))
const TIMEOUT_MS = 2_000

const schema = z.object({
  pool: z.object({ min: z.number().int().default(2), max: z.number().int().default(10) }),
  name: z.string().default('bench'),
})
const quiet = { debug() {}, info() {}, warn() {}, error() {} }

const subjects: Subject[] = [
  {
    name: 'raw fs.watch (dir, filtered by name)',
    gapMs: 30,
    async open(file, fired) {
      const dir = join(file, '..')
      const base = file.slice(dir.length + 1)
      const watcher: FSWatcher = watch(dir, (_event, name) => {
        if (name === base) fired()
      })
      return async () => watcher.close()
    },
  },
  {
    name: 'chokidar 5 alone (file, defaults)',
    gapMs: 80,
    async open(file, fired) {
      const { watch: chokidarWatch } = await import('chokidar')
      const watcher = chokidarWatch(file, { ignoreInitial: true })
      watcher.on('all', (event) => {
        if (event === 'change' || event === 'add') fired()
      })
      await new Promise<void>((resolve) => watcher.once('ready', () => resolve()))
      return () => watcher.close()
    },
  },
  hotconf(0),
  hotconf(100),
]

function hotconf(debounceMs: number): Subject {
  return {
    name: `hotconf watchFiles({ debounceMs: ${debounceMs} }) → changes$`,
    gapMs: debounceMs + 40,
    async open(file, fired) {
      const store = await createConfigStore({
        schema,
        sources: [fileSource(file)],
        adapters: [watchFiles({ debounceMs })],
        logger: quiet,
      })
      const subscription = store.changes$.subscribe(() => fired())
      return async () => {
        subscription.unsubscribe()
        await store.close()
      }
    },
  }
}

/** Latencies (ms) of `saves` saves of one kind: end of the save → first callback after its start. */
async function measure(subject: Subject, kind: SaveKind): Promise<{ latencies: number[]; missed: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'hotconf-bench-'))
  const file = join(dir, 'app.yaml')
  let value = 0
  const content = () => `pool:\n  min: 2\n  max: ${++value + 10}\nname: bench\n`
  await writeFile(file, content())
  let waiting: ((at: number) => void) | undefined
  const close = await subject.open(file, () => {
    const at = performance.now()
    const resolve = waiting
    waiting = undefined
    resolve?.(at)
  })
  await sleep(subject.gapMs)
  const latencies: number[] = []
  let missed = 0
  for (let i = 0; i < saves; i++) {
    const fired = new Promise<number | undefined>((resolve) => {
      waiting = resolve
      setTimeout(() => resolve(undefined), TIMEOUT_MS).unref()
    })
    const text = content()
    if (kind === 'writeFile') {
      await writeFile(file, text)
    } else {
      await writeFile(`${file}.tmp`, text)
      await rename(`${file}.tmp`, file)
    }
    const end = performance.now()
    const at = await fired
    if (at === undefined) missed++
    else latencies.push(at - end)
    waiting = undefined
    await sleep(subject.gapMs)
  }
  await close()
  await rm(dir, { recursive: true, force: true })
  return { latencies, missed }
}

const results = new Map<string, { medians: number[]; deltas: number[]; missed: number; count: number }>()
for (let round = 1; round <= rounds; round++) {
  for (const kind of ['writeFile', 'rename'] as const) {
    let floor = Number.NaN
    for (const subject of subjects) {
      const { latencies, missed } = await measure(subject, kind)
      const med = median(latencies)
      if (subject === subjects[0]) floor = med
      const key = `${subject.name}|${kind}`
      const entry = results.get(key) ?? { medians: [], deltas: [], missed: 0, count: 0 }
      entry.medians.push(med)
      entry.deltas.push(med - floor)
      entry.missed += missed
      entry.count += latencies.length
      results.set(key, entry)
    }
  }
  process.stderr.write(`round ${round}/${rounds} done\n`)
}

console.log(
  `\nReload latency, end of save → callback; median of ${rounds} round medians (min–max), ${saves} saves each`,
)
console.log(`Node ${process.version}, ${process.platform}\n`)
const rows = [...results].map(([key, r]) => {
  const [name, kind] = key.split('|')
  return {
    subject: name,
    save: kind,
    'median ms': `${fmt(median(r.medians))} (${fmt(Math.min(...r.medians))}–${fmt(Math.max(...r.medians))})`,
    'Δ raw fs.watch ms': `${fmt(median(r.deltas))} (${fmt(Math.min(...r.deltas))}–${fmt(Math.max(...r.deltas))})`,
    missed: `${r.missed}/${r.count + r.missed}`,
  }
})
console.table(rows)

// --- internal ---

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function fmt(ms: number): string {
  return Number.isNaN(ms) ? '-' : ms.toFixed(ms < 10 ? 2 : 1)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
