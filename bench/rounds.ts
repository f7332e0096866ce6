import { performance } from 'node:perf_hooks'

/**
 * One contender of a timed comparison. `run(n)` performs `n` operations in its own loop and throws when the loop's
 * checked sink is wrong (so an optimizer that drops the work, or a write that did not commit, fails loudly).
 *
 * Give each case its own function literal: closures made by one factory share their type feedback, and a shared
 * call site turns megamorphic and slows every contender that goes through it.
 */
export interface Case {
  readonly name: string
  readonly run: (n: number) => void | Promise<void>
}

/** How `interleave` sizes and repeats the samples. */
export interface InterleaveOptions {
  /** Measured rounds; each runs every case once. */
  readonly rounds: number
  /** Wall time one sample should take; `n` is calibrated per case to reach it. */
  readonly sampleMs: number
  /** Upper bound on `n` (e.g. the baseline's 5,000,000 reads). @default 5_000_000 */
  readonly maxOps?: number
  /** Lower bound on `n`, for cases whose single op is slower than `sampleMs`. @default 1 */
  readonly minOps?: number
  /** Untimed passes of `n` ops before the first round. @default 2 */
  readonly warmups?: number
  readonly log?: (message: string) => void
}

/** Per case: the ops per sample and the time of one op (ms) in each round, in round order. */
export type Timings = Record<string, { readonly ops: number; readonly msPerOp: number[] }>

/**
 * Runs the cases side by side: calibrate, warm up, then `rounds` rounds in each of which every case takes one
 * sample. The starting case rotates from round to round so that no contender always runs right after the same
 * neighbour. No GC is forced: a forced GC shrinks V8's heap limits, so the next sample pays for a run of major
 * GCs that no running service sees (it made `store.set` 2.5–4× slower in 150 ms samples); without it each case
 * pays for its own garbage, in steady state.
 */
export async function interleave(cases: readonly Case[], options: InterleaveOptions): Promise<Timings> {
  const { rounds, sampleMs, maxOps = 5_000_000, minOps = 1, warmups = 2, log } = options
  const ops = new Map<Case, number>()
  for (const c of cases) {
    const n = await calibrate(c, sampleMs, minOps, maxOps)
    for (let w = 0; w < warmups; w++) await c.run(n)
    ops.set(c, n)
    log?.(`  ${c.name}: ${n} ops per sample`)
  }
  const out: Timings = Object.fromEntries(cases.map((c) => [c.name, { ops: ops.get(c)!, msPerOp: [] }]))
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(i + r) % cases.length]!
      const n = ops.get(c)!
      const t0 = performance.now()
      await c.run(n)
      out[c.name]!.msPerOp.push((performance.now() - t0) / n)
    }
    log?.(`  round ${r + 1}/${rounds}`)
  }
  return out
}

/** Forces a full GC when the process runs with `--expose-gc` (npm run bench does). */
export function collectGarbage(times = 1): void {
  const gc = (globalThis as { gc?: () => void }).gc
  for (let i = 0; i < times; i++) gc?.()
}

/** Throws when a loop's sink does not hold what its operations must have produced. */
export function checkSink(name: string, actual: unknown, expected: unknown): void {
  if (actual !== expected) throw new Error(`${name}: sink is ${String(actual)}, expected ${String(expected)}`)
}

// --- internal ---

/**
 * The op count that makes one sample last about `sampleMs`: grow n from `minOps`, then re-time until the estimate
 * settles, since the first, cold ops (JIT, lazy set-up) are far slower than the warm ones.
 */
async function calibrate(c: Case, sampleMs: number, minOps: number, maxOps: number): Promise<number> {
  const time = async (n: number) => {
    const t0 = performance.now()
    await c.run(n)
    return performance.now() - t0
  }
  let n = minOps
  for (let ms = await time(n); n < maxOps && ms < sampleMs / 4; ms = await time(n)) {
    n = Math.min(maxOps, ms < sampleMs / 100 ? n * 10 : n * 2)
  }
  for (let pass = 0; pass < 4 && n < maxOps; pass++) {
    const next = clamp(Math.round((n * sampleMs) / (await time(n))), minOps, maxOps)
    const settled = Math.abs(next - n) <= n * 0.25
    n = next
    if (settled) break
  }
  return n
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, x))
}
