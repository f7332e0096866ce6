// Core measures of `npm run bench` (issue 8 #1–#4): reads, one-key updates through the whole machine against the
// hand-written floor (immer produce + zod safeParse of the changed subtree + Subject.next, the baseline's (d)),
// scaling from 100 to 100,000 keys, and commits per second. Median of interleaved rounds, min–max.
//   node --conditions=source --import tsx bench/core.ts [--quick]

import { Immer } from 'immer'
import { Subject } from 'rxjs'
import { z } from 'zod'
import { createConfigStore } from '../src/index.ts'

const quick = process.argv.includes('--quick')
const ROUNDS = quick ? 2 : 5

type Tree = { schema: z.ZodObject; value: Record<string, unknown>; leaf: string[] }
function tree(depth: number, fan = 10): Tree {
  const build = (d: number): [z.ZodType, unknown] => {
    if (d === 0) return [z.number().int(), 1]
    const shape: Record<string, z.ZodType> = {}
    const value: Record<string, unknown> = {}
    for (let i = 0; i < fan; i++) [shape[`k${i}`], value[`k${i}`]] = build(d - 1)
    return [z.object(shape), value]
  }
  const [schema, value] = build(depth)
  return {
    schema: schema as z.ZodObject,
    value: value as Record<string, unknown>,
    leaf: Array(depth).fill('k3'),
  }
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]! }
}
const fmt = (x: { median: number; min: number; max: number }, digits = 2) =>
  `**${x.median.toFixed(digits)}** (${x.min.toFixed(digits)}–${x.max.toFixed(digits)})`

// --- 1. reads ---
async function reads() {
  const { schema, value } = tree(3)
  const store = await createConfigStore({ schema, initial: value as never })
  const frozen = store.current as unknown as Record<string, Record<string, Record<string, number>>>
  const holder = store as unknown as { current: typeof frozen; get(p: string): number }
  const N = quick ? 500_000 : 5_000_000
  const loops = {
    frozen: () => {
      let sink = 0
      for (let i = 0; i < N; i++) sink += frozen.k1!.k2!.k3!
      return sink
    },
    current: () => {
      let sink = 0
      for (let i = 0; i < N; i++) sink += holder.current.k1!.k2!.k3!
      return sink
    },
    get: () => {
      let sink = 0
      for (let i = 0; i < N; i++) sink += holder.get('k1.k2.k3')
      return sink
    },
  }
  const out: Record<string, number[]> = { frozen: [], current: [], get: [] }
  for (const fn of Object.values(loops)) fn()
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of Object.entries(loops)) {
      const t0 = performance.now()
      if (fn() !== N) throw new Error('sink')
      out[name]!.push(((performance.now() - t0) * 1e6) / N)
    }
  }
  await store.close()
  return out
}

// --- 2/3. updates ---
async function updates(depth: number) {
  const { schema, value, leaf } = tree(depth)
  const store = await createConfigStore({ schema, initial: value as never, historyLimit: 100 })
  const path = leaf.join('.')
  // The floor: what a careful hand-written update costs (baseline variant d).
  const immer = new Immer({ autoFreeze: true })
  let current = immer.produce(value, () => {})
  const subject = new Subject<unknown>()
  subject.subscribe(() => {})
  let parentSchema: z.ZodType = schema
  for (const k of leaf.slice(0, -1)) parentSchema = (parentSchema as z.ZodObject).shape[k] as z.ZodType
  const floor = (n: number) => {
    current = immer.produce(current, (d: Record<string, any>) => {
      let o = d
      for (const k of leaf.slice(0, -1)) o = o[k]
      o[leaf[leaf.length - 1]!] = n
    })
    let parent: any = current
    for (const k of leaf.slice(0, -1)) parent = parent[k]
    if (!parentSchema.safeParse(parent).success) throw new Error('floor invalid')
    subject.next(current)
  }
  const n = quick ? 500 : depth >= 5 ? 2_000 : 10_000
  let v = 10
  const machine: number[] = []
  const hand: number[] = []
  for (let i = 0; i < n / 5; i++) {
    await store.set(path as never, v++ as never)
    floor(v++)
  }
  for (let r = 0; r < ROUNDS; r++) {
    let t0 = performance.now()
    for (let i = 0; i < n; i++) await store.set(path as never, v++ as never)
    machine.push(((performance.now() - t0) * 1000) / n)
    t0 = performance.now()
    for (let i = 0; i < n; i++) floor(v++)
    hand.push(((performance.now() - t0) * 1000) / n)
  }
  const validate: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now()
    for (let i = 0; i < n; i++)
      await store.validate((d: any) => {
        let o = d
        for (const k of leaf.slice(0, -1)) o = o[k]
        o[leaf[leaf.length - 1]!] = i
      })
    validate.push(((performance.now() - t0) * 1000) / n)
  }
  await store.close()
  return { machine, hand, validate }
}

// --- 4. throughput ---
async function throughput(callers: number) {
  const { schema, value, leaf } = tree(2)
  const store = await createConfigStore({ schema, initial: value as never })
  const n = quick ? 4_000 : 40_000
  let v = 0
  const rates: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now()
    await Promise.all(
      Array.from({ length: callers }, async () => {
        for (let i = 0; i < n / callers; i++) await store.set(leaf.join('.') as never, ++v as never)
      }),
    )
    rates.push(n / ((performance.now() - t0) / 1000))
  }
  await store.close()
  return rates
}

const results: Record<string, unknown> = { node: process.version, date: new Date().toISOString(), quick }
const r = await reads()
const ratio = (a: number[], b: number[]) => a.map((x, i) => x / b[i]!)
results.reads = r
console.log('| # | measure | value | ratio |\n|---|---|---|---|')
console.log(`| 1 | frozen object \`o.k1.k2.k3\` (ns/op) | ${fmt(stats(r.frozen!))} | 1 |`)
console.log(
  `| 1 | \`store.current.k1.k2.k3\` (ns/op) | ${fmt(stats(r.current!))} | ×frozen ${fmt(stats(ratio(r.current!, r.frozen!)))} |`,
)
console.log(
  `| 1 | \`store.get('k1.k2.k3')\` (ns/op) | ${fmt(stats(r.get!))} | ×frozen ${fmt(stats(ratio(r.get!, r.frozen!)))} |`,
)
const sizes = quick ? [2, 4] : [2, 3, 4, 5]
const byKeys: Record<string, Awaited<ReturnType<typeof updates>>> = {}
for (const depth of sizes) {
  const u = await updates(depth)
  const keys = 10 ** depth
  byKeys[keys] = u
  console.log(
    `| 2 | one-key committed update, ${keys.toLocaleString('en')} keys (µs) | ${fmt(stats(u.machine))} | ×floor ${fmt(stats(ratio(u.machine, u.hand)))} |`,
  )
  console.log(
    `| 2 | hand-written floor (immer+zod subtree+Subject), ${keys.toLocaleString('en')} keys (µs) | ${fmt(stats(u.hand))} | |`,
  )
  console.log(
    `| 2 | \`validate\` dry run, ${keys.toLocaleString('en')} keys (µs) | ${fmt(stats(u.validate))} | |`,
  )
}
results.updates = byKeys
const small = byKeys[100]!.machine
for (const keys of Object.keys(byKeys).filter((k) => k !== '100')) {
  console.log(
    `| 3 | update ${Number(keys).toLocaleString('en')} keys / 100 keys | | ${fmt(stats(ratio(byKeys[keys]!.machine, small)))} |`,
  )
}
for (const callers of [1, 8]) {
  const rates = await throughput(callers)
  results[`commitsPerSecond${callers}`] = rates
  console.log(`| 4 | commits/s, ${callers} caller${callers > 1 ? 's' : ''} | ${fmt(stats(rates), 0)} | |`)
}
if (process.argv.includes('--json')) console.log(JSON.stringify(results))
