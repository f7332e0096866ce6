// Issue 5: heap retained by 1,000 history entries on a 10,000-key config (one key changed per commit) against
// 1,000 structuredClone copies, and rollback latency on that config. Run with --expose-gc:
//   node --conditions=source --import tsx --expose-gc bench/history.ts

import { z } from 'zod'
import { createConfigStore } from '../src/index.ts'

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')

function tree(depth: number): [z.ZodType, unknown] {
  if (depth === 0) return [z.number().int(), 1]
  const shape: Record<string, z.ZodType> = {}
  const value: Record<string, unknown> = {}
  for (let i = 0; i < 10; i++) [shape[`k${i}`], value[`k${i}`]] = tree(depth - 1)
  return [z.object(shape), value]
}

function heap(): number {
  for (let i = 0; i < 12; i++) gc!()
  return process.memoryUsage().heapUsed
}

const [schema, initial] = tree(4)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const rounds: { immerMB: number; cloneMB: number; ratio: number; rollbackMs: number }[] = []
for (let round = 0; round < 5; round++) {
  const store = await createConfigStore({
    schema: schema as z.ZodObject,
    initial: initial as never,
    historyLimit: 1000,
  })
  const base = heap()
  for (let i = 0; i < 1000; i++) {
    const path = `k${i % 10}.k${Math.floor(i / 10) % 10}.k${Math.floor(i / 100) % 10}.k${i % 7}`
    await store.set(path as never, (i + 2) as never)
  }
  const immer = heap() - base
  const clones: unknown[] = []
  const cloneBase = heap()
  let config: Record<string, unknown> = JSON.parse(JSON.stringify(initial))
  for (let i = 0; i < 1000; i++) {
    config = structuredClone(config)
    ;(config.k0 as Record<string, Record<string, Record<string, number>>>).k0!.k0![`k${i % 10}`] = i
    clones.push(config)
  }
  const clone = heap() - cloneBase
  const times: number[] = []
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now()
    await store.rollback(store.revision - 500)
    times.push(performance.now() - t0)
  }
  rounds.push({
    immerMB: immer / 2 ** 20,
    cloneMB: clone / 2 ** 20,
    ratio: immer / clone,
    rollbackMs: median(times),
  })
  clones.length = 0
  await store.close()
}
const col = (k: keyof (typeof rounds)[number]) => {
  const xs = rounds.map((r) => r[k])
  return `${median(xs).toFixed(4)} (${Math.min(...xs).toFixed(4)}–${Math.max(...xs).toFixed(4)})`
}
console.log(`| measure (median of ${rounds.length} rounds, min–max) | value |`)
console.log('|---|---|')
console.log(`| heap of 1,000 history entries, 10k keys (MB) | ${col('immerMB')} |`)
console.log(`| heap of 1,000 structuredClone copies (MB) | ${col('cloneMB')} |`)
console.log(`| history / clones | ${col('ratio')} |`)
console.log(`| rollback 500 revisions back, 10k keys (ms) | ${col('rollbackMs')} |`)
