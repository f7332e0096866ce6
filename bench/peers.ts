// Issue 8 #1, #2 and #8 against the libraries users would pick instead, measured in the same run:
// reads (`get('a.b.c')`), one validated one-key update at 100 and 10,000 keys, and cold start in a fresh process.
// The peers are devDependencies of bench/ only: `npm ci --prefix bench` once.
//   node --conditions=source --import tsx bench/peers.ts [--quick]
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { createConfigStore } from '../src/index.ts'

const quick = process.argv.includes('--quick')
const ROUNDS = quick ? 2 : 5
const require = createRequire(import.meta.url)
let peers: { convict: any; nconf: any } | undefined
try {
  peers = { convict: require('convict'), nconf: require('nconf') }
} catch {
  console.log('n/a: peers are not installed (npm ci --prefix bench)')
  process.exit(0)
}
const { convict, nconf } = peers

function tree(depth: number): { schema: z.ZodObject; value: any; convictSchema: any; leaf: string } {
  const build = (d: number): [z.ZodType, unknown, unknown] => {
    if (d === 0) return [z.number().int(), 1, { format: 'int', default: 1 }]
    const shape: Record<string, z.ZodType> = {}
    const value: Record<string, unknown> = {}
    const conv: Record<string, unknown> = {}
    for (let i = 0; i < 10; i++) [shape[`k${i}`], value[`k${i}`], conv[`k${i}`]] = build(d - 1)
    return [z.object(shape), value, conv]
  }
  const [schema, value, convictSchema] = build(depth)
  return { schema: schema as z.ZodObject, value, convictSchema, leaf: Array(depth).fill('k3').join('.') }
}
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return `**${s[Math.floor(s.length / 2)]!.toFixed(2)}** (${s[0]!.toFixed(2)}–${s[s.length - 1]!.toFixed(2)})`
}
const ratio = (a: number[], b: number[]) => a.map((x, i) => x / b[i]!)

// --- reads ---
const small = tree(3)
const store = await createConfigStore({ schema: small.schema, initial: small.value })
const conv = convict(small.convictSchema)
conv.load(small.value)
conv.validate()
nconf.use('memory')
nconf.set('k1', small.value.k1)
const frozen = store.current as any
const N = quick ? 200_000 : 2_000_000
const readers: Record<string, () => number> = {
  'frozen object': () => {
    let s = 0
    for (let i = 0; i < N; i++) s += frozen.k1.k2.k3
    return s
  },
  'hotconf get': () => {
    let s = 0
    for (let i = 0; i < N; i++) s += (store as any).get('k1.k2.k3')
    return s
  },
  'convict get': () => {
    let s = 0
    for (let i = 0; i < N; i++) s += conv.get('k1.k2.k3')
    return s
  },
  'nconf get': () => {
    let s = 0
    for (let i = 0; i < N; i++) s += nconf.get('k1:k2:k3')
    return s
  },
}
const reads: Record<string, number[]> = Object.fromEntries(Object.keys(readers).map((k) => [k, []]))
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, fn] of Object.entries(readers)) {
    const t0 = performance.now()
    if (fn() !== N) throw new Error(`${name}: wrong sink`)
    reads[name]!.push(((performance.now() - t0) * 1e6) / N)
  }
}
console.log('| # | measure | value | ratio |\n|---|---|---|---|')
for (const name of Object.keys(readers)) {
  console.log(
    `| 1 | ${name} (ns/op) | ${stats(reads[name]!)} | ×frozen ${stats(ratio(reads[name]!, reads['frozen object']!))} |`,
  )
}
console.log(
  `| 1 | convict get / hotconf get | | ${stats(ratio(reads['convict get']!, reads['hotconf get']!))} |`,
)
await store.close()

// --- updates ---
for (const depth of [2, 4]) {
  const t = tree(depth)
  const s = await createConfigStore({ schema: t.schema, initial: t.value })
  const c = convict(t.convictSchema)
  c.load(t.value)
  const n = quick ? 50 : depth === 4 ? 100 : 2_000
  const out: Record<string, number[]> = {
    hotconf: [],
    'convict set+validate': [],
    'nconf set (no validation)': [],
  }
  let v = 2
  for (let r = 0; r < ROUNDS; r++) {
    let t0 = performance.now()
    for (let i = 0; i < n; i++) await s.set(t.leaf as never, v++ as never)
    out.hotconf!.push(((performance.now() - t0) * 1000) / n)
    t0 = performance.now()
    for (let i = 0; i < n; i++) {
      c.set(t.leaf, v++)
      c.validate()
    }
    out['convict set+validate']!.push(((performance.now() - t0) * 1000) / n)
    t0 = performance.now()
    for (let i = 0; i < n * 10; i++) nconf.set(t.leaf.replaceAll('.', ':'), v++)
    out['nconf set (no validation)']!.push(((performance.now() - t0) * 1000) / (n * 10))
  }
  for (const [name, xs] of Object.entries(out)) {
    console.log(
      `| 2 | ${name}, ${(10 ** depth).toLocaleString('en')} keys (µs) | ${stats(xs)} | ×hotconf ${stats(ratio(xs, out.hotconf!))} |`,
    )
  }
  await s.close()
}

// --- cold start: each in a fresh process, hotconf from its build (dist/), as users load it ---
if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
  console.log('| 8 | cold start | n/a: run `npm run build` first | |')
  process.exit(0)
}
const dir = mkdtempSync(join(tmpdir(), 'hotconf-cold-'))
for (const name of ['default.json', 'production.json', 'local.json'])
  writeFileSync(join(dir, name), JSON.stringify({ k1: { k2: { k3: 2 } } }))
const scripts: Record<string, string> = {
  "import 'hotconf'": `const t=performance.now();await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});console.log(performance.now()-t)`,
  'createConfigStore, 3 file layers + env': `const t=performance.now();const {z}=await import('zod');const {createConfigStore}=await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});const {fileSource,envSource}=await import(${JSON.stringify(new URL('../dist/sources/index.js', import.meta.url).href)});const s=await createConfigStore({schema:z.object({k1:z.object({k2:z.object({k3:z.number()})})}),sources:['default','production','local'].map(n=>fileSource(${JSON.stringify(dir)}+'/'+n+'.json')).concat(envSource({prefix:'APP_'}))});console.log(performance.now()-t);await s.close()`,
  "node-config require('config')": `const t=performance.now();process.env.NODE_CONFIG_DIR=${JSON.stringify(dir)};process.env.SUPPRESS_NO_CONFIG_WARNING='1';const {createRequire}=await import('node:module');createRequire(${JSON.stringify(import.meta.url)})('config').get('k1.k2.k3');console.log(performance.now()-t)`,
  'convict load + validate': `const t=performance.now();const {createRequire}=await import('node:module');const convict=createRequire(${JSON.stringify(import.meta.url)})('convict');const c=convict({k1:{k2:{k3:{format:'int',default:1}}}});c.loadFile([${['default', 'production', 'local'].map((n) => JSON.stringify(join(dir, `${n}.json`))).join(',')}]);c.validate();console.log(performance.now()-t)`,
}
for (const [name, code] of Object.entries(scripts)) {
  const times: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const run = spawnSync(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', code],
      { encoding: 'utf8' },
    )
    if (run.status !== 0) throw new Error(`${name}: ${run.stderr}`)
    times.push(Number(run.stdout.trim()))
  }
  console.log(`| 8 | cold start: ${name} (ms) | ${stats(times)} | |`)
}
