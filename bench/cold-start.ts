// Measure 8: cold start, each sample in a fresh `node` process with no loader (hotconf from its build, dist/):
// `import 'hotconf'`, and a ready store of 3 file layers + env, against node-config's `require('config')` and
// convict's load + validate of the same files and variable. Time from the script's first line to ready. Issue 23's
// target: a service imports zod anyway, and hotconf should add ≤ 50 ms to that import, timed in the same process.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MeasureRun } from './measure.ts'
import { loadPeer } from './peers.ts'
import { checkSink } from './rounds.ts'
import { convictSmall, smallConfig } from './small-config.ts'
import { perRound, summarize } from './stats.ts'
import { atMost, figure, na, type Row } from './table.ts'

interface Subject {
  readonly name: string
  readonly label: string
  readonly script: string
  /** What the script prints as `value` when it worked: `db.pool.max` from the env layer, or a marker. */
  readonly expect: unknown
  readonly args?: readonly string[]
}

/** `APP_DB__POOL__MAX`, the highest layer: every contender must read it back. */
const FROM_ENV = 20

export const run: MeasureRun = async ({ rounds, log }) => {
  const dir = await mkdtemp(join(tmpdir(), 'hotconf-bench-cold-'))
  try {
    await writeLayers(dir)
    const spec = JSON.stringify(smallConfig())
    const subjects: Subject[] = [
      {
        name: 'empty',
        label: 'empty `node` process: start → first line, for scale',
        script: 'empty.mjs',
        expect: 'empty',
      },
      {
        name: 'zod',
        label: "zod alone: `import 'zod'`",
        script: 'zod-import.mjs',
        expect: 'function',
      },
    ]
    const rows: Row[] = []
    const dist = distState()
    if (dist.ok) {
      subjects.push(
        {
          name: 'import',
          label: "hotconf `import 'hotconf'`",
          script: 'hotconf-import.mjs',
          expect: 'function',
        },
        {
          name: 'store',
          label: 'hotconf `createConfigStore`: 3 file layers + env, imports included',
          script: 'hotconf-store.mjs',
          expect: FROM_ENV,
          args: [dir, spec],
        },
      )
    } else rows.push({ id: 8, label: 'hotconf', value: na(dist.why) })
    const peers = [
      {
        name: 'node-config',
        label: "node-config `require('config')` + `get`",
        script: 'node-config.mjs',
        args: [],
      },
      {
        name: 'convict',
        label: 'convict require + `loadFile` (3 files) + `validate` + `get`',
        script: 'convict.mjs',
        args: [dir, JSON.stringify(convictSmall({ APP_DB__POOL__MAX: 'db.pool.max' }))],
      },
    ] as const
    for (const peer of peers) {
      const loaded = await loadPeer(peer.name === 'node-config' ? 'config' : 'convict')
      if (loaded.ok) subjects.push({ ...peer, expect: FROM_ENV })
      else rows.push({ id: 8, label: peer.label, value: na(loaded.why) })
    }

    log(`cold start: ${subjects.length} subjects, ${rounds} rounds, a fresh process each`)
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      NODE_CONFIG_DIR: dir,
      SUPPRESS_NO_CONFIG_WARNING: '1',
      APP_DB__POOL__MAX: String(FROM_ENV),
    }
    delete env.NODE_OPTIONS
    for (const subject of subjects) spawn(subject, env) // warm the OS file cache, not measured
    const samples: Record<string, { ms: number[]; zodMs: number[]; sinceStart: number[] }> =
      Object.fromEntries(subjects.map((s) => [s.name, { ms: [], zodMs: [], sinceStart: [] }]))
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < subjects.length; i++) {
        const subject = subjects[(i + r) % subjects.length]!
        const out = spawn(subject, env)
        samples[subject.name]!.ms.push(out.ms)
        samples[subject.name]!.sinceStart.push(out.sinceStart)
        if (out.zodMs !== undefined) samples[subject.name]!.zodMs.push(out.zodMs)
      }
    }

    const has = (name: string) => subjects.some((s) => s.name === name)
    for (const subject of subjects) {
      const s = samples[subject.name]!
      if (subject.name === 'empty') {
        rows.push({ id: 8, label: subject.label, value: figure(summarize(s.sinceStart), 'ms') })
        continue
      }
      const compared = subject.name !== 'store' && has('store')
      rows.push({
        id: 8,
        label: subject.label,
        value: figure(summarize(s.ms), 'ms'),
        ...(compared
          ? { ratio: { label: '×hotconf store', summary: summarize(perRound(s.ms, samples.store!.ms)) } }
          : subject.name === 'store'
            ? overZod(s.ms, s.zodMs)
            : {}),
        note:
          `process start → ready: ${summarize(s.sinceStart).median.toFixed(1)} ms` +
          (dist.ok && dist.stale && (subject.name === 'import' || subject.name === 'store')
            ? '; **dist/ is older than src/**: `npm run build` for current figures'
            : ''),
      })
    }
    return { rows, raw: { samples, unit: 'ms', dist: dist.ok ? (dist.stale ? 'stale' : 'fresh') : dist.why } }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

// --- internal ---

/**
 * Issue 23's target: a ready store costs at most zod's own import + 50 ms. Both are taken in the same process (the
 * store's script times its `import 'zod'` first): against the "zod alone" process, one round swung by ±60 ms on a
 * noisy machine, with the two processes' starts in the difference.
 */
function overZod(store: readonly number[], zod: readonly number[]): Pick<Row, 'ratio' | 'target'> {
  const over = summarize(perRound(store, zod, (a, b) => a - b))
  return {
    ratio: { label: "Δ its own `import 'zod'`, ms", summary: over },
    target: atMost("≤ its `import 'zod'` + 50 ms", over, 50),
  }
}

const here = fileURLToPath(new URL('.', import.meta.url))
const root = join(here, '..')

function spawn(subject: Subject, env: NodeJS.ProcessEnv): { ms: number; zodMs?: number; sinceStart: number } {
  const child = spawnSync(
    process.execPath,
    [join(here, 'cold-start', subject.script), ...(subject.args ?? [])],
    {
      env,
      encoding: 'utf8',
      timeout: 30_000,
    },
  )
  if (child.status !== 0)
    throw new Error(`${subject.label}: exit ${child.status ?? child.signal}: ${child.stderr}`)
  const out = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as {
    ms: number
    /** The store's script: how long its `import 'zod'` took. */
    zodMs?: number
    sinceStart: number
    value: unknown
  }
  checkSink(subject.label, out.value, subject.expect)
  return out
}

/** Three layers as node-config names them, plus node-config's map of the one variable. */
async function writeLayers(dir: string): Promise<void> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`
  await writeFile(join(dir, 'default.json'), json(smallConfig()))
  await writeFile(join(dir, 'production.json'), json({ server: { port: 9090 }, db: { pool: { max: 12 } } }))
  await writeFile(join(dir, 'local.json'), json({ log: { level: 'debug' } }))
  await writeFile(
    join(dir, 'custom-environment-variables.json'),
    json({ db: { pool: { max: { __name: 'APP_DB__POOL__MAX', __format: 'number' } } } }),
  )
}

/**
 * The build is what users load. A stale one is still timed (most of a cold start is the dependencies, and the
 * sinks check that it works), with a note saying so.
 */
function distState(): { ok: true; stale: boolean } | { ok: false; why: string } {
  const built = ['dist/index.js', 'dist/sources/index.js'].map((f) => join(root, f))
  if (!built.every((f) => existsSync(f))) {
    return { ok: false, why: 'no build in dist/: run `npm run build` first' }
  }
  const builtAt = Math.min(...built.map((f) => statSync(f).mtimeMs))
  return { ok: true, stale: newestMtime(join(root, 'src')) > builtAt }
}

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}
