// Expiring overrides (#20): the delay from an override's deadline to the commit of its reset, under 1,000 expiries.
// Two loads: deadlines spread one per millisecond over a second, and a burst of 1,000 deadlines in the same
// millisecond. Real timers, an in-memory store with 1,000 keys; the delay is read on `changes$` (the reset is
// committed and published) against the monotonic deadline taken when the write was submitted.
// Run: node --conditions=@hotconf/source --import tsx bench/expiry-delay.ts (from the repository root)
// Each line also gives the garbage collector's pauses between the first deadline and the last reset: on a wide
// section they, not the transactions, make the tail (each revision of a 1,000-key object is a 48 KB hash table).
import { PerformanceObserver, performance } from 'node:perf_hooks'
import { z } from 'zod'
import { createConfigStore } from '../src/index.ts'

const KEYS = 1_000
/** Every collection's start and length, as the runtime reports them. */
const pauses: { start: number; ms: number }[] = []
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) pauses.push({ start: e.startTime, ms: e.duration })
}).observe({ entryTypes: ['gc'] })

async function measure(
  spreadMs: number,
  leadMs: number,
  wait = true,
): Promise<{ delays: number[]; writeMs: number; gc: number[] }> {
  const shape = Object.fromEntries(Array.from({ length: KEYS }, (_, i) => [`k${i}`, z.number().default(0)]))
  const store = await createConfigStore({
    schema: z.object({ keys: z.object(shape) }),
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  })
  const due = new Map<string, number>()
  const delays: number[] = []
  const done = new Promise<void>((resolve) => {
    store.changes$.subscribe((c) => {
      if (c.source !== 'expiry') return
      const now = performance.now()
      for (const change of c.changes) delays.push(now - due.get(change.path)!)
      if (delays.length === KEYS) resolve()
    })
  })
  const start = performance.now()
  await Promise.all(
    Array.from({ length: KEYS }, (_, i) => {
      // Every deadline fixed from one start: spread one per `spreadMs / KEYS` ms, or all at once.
      const at = start + leadMs + Math.floor((i * spreadMs) / KEYS)
      const ttlMs = Math.max(1, Math.round(at - performance.now()))
      due.set(`keys.k${i}`, performance.now() + ttlMs)
      return store.set(`keys.k${i}` as never, 1 as never, { ttlMs })
    }),
  )
  const writeMs = performance.now() - start
  // The writes must all have committed before the first deadline, or their backlog is measured instead.
  if (writeMs >= leadMs) throw new Error(`the writes took ${writeMs} ms, past the first deadline`)
  if (wait) await done
  const end = performance.now()
  // The entries of the last collections arrive a tick later.
  await new Promise((resolve) => setTimeout(resolve, 10))
  const gc = pauses.filter((p) => p.start + p.ms >= start + leadMs && p.start <= end).map((p) => p.ms)
  await store.close()
  return { delays: delays.sort((a, b) => a - b), writeMs, gc }
}

const pct = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!

function described(runs: readonly { delays: number[]; gc: number[] }[]): string {
  const all = runs.flatMap((r) => r.delays).sort((a, b) => a - b)
  const gc = runs.flatMap((r) => r.gc)
  return `deadline → committed reset, median ${pct(all, 50).toFixed(2)} ms, p99 ${pct(all, 99).toFixed(2)} ms, max ${all[all.length - 1]!.toFixed(2)} ms (${all.length} expiries); GC meanwhile: ${gc.length} pauses, longest ${Math.max(0, ...gc).toFixed(1)} ms, ${gc.reduce((a, b) => a + b, 0).toFixed(1)} ms in all`
}

// The store's timer does not keep a process alive (it is unref'd): this bench has nothing else to wait on.
const keepAlive = setInterval(() => {}, 1_000)
for (const [label, spreadMs] of [
  ['1,000 deadlines over 1 s', 1_000],
  ['1,000 deadlines in the same ms', 0],
] as const) {
  // The writes are timed first: the first deadline is set well after they will have committed.
  const { writeMs } = await measure(spreadMs, 600_000, false)
  const lead = Math.ceil(writeMs * 2 + 500)
  // The first load of a process is reported apart: its code is not optimised yet, and its collections grow the heap
  // into pages the system has not handed out before (≈ 15–25 ms a scavenge here, against ≈ 3 ms once it has). The
  // target is read on the two loads after it, a service's steady state.
  const first = await measure(spreadMs, lead)
  const runs = [await measure(spreadMs, lead), await measure(spreadMs, lead)]
  console.log(
    `${label}:\n  first load of the process: ${described([first])}\n  the two loads after it: ${described(runs)}`,
  )
}
clearInterval(keepAlive)
