// Measure 4: committed transactions per second on a 100-key tree, with one sequential writer and with 8 concurrent
// callers (each awaiting its own `set` of its own key, so queued transactions may share a pass through the machine).
import type { ConfigStore } from '../src/types.ts'
import { type MeasureRun, need, quietLogger } from './measure.ts'
import { type Case, checkSink, interleave } from './rounds.ts'
import { mapSummary, summarize } from './stats.ts'
import { atLeast, figure, type Row } from './table.ts'
import { treeLayout } from './tree-layout.ts'
import { fresh } from './update-cases.ts'

const CALLERS = 8
const TARGET = 20_000

export const run: MeasureRun = async ({ quick, rounds, log }) => {
  const { createConfigStore } = await need(() => import('../src/index.ts'), 'the core store', [
    'createConfigStore',
  ])
  const layout = treeLayout(100)
  const store: ConfigStore<any> = await createConfigStore({
    schema: layout.schema,
    initial: layout.value,
    logger: quietLogger,
  })
  const cases: Case[] = [
    {
      name: 'one writer',
      async run(n) {
        const before = store.revision
        let committed = 0
        for (let i = 0; i < n; i++) {
          if ((await store.set('k0.k0', fresh())).status === 'committed') committed++
        }
        checkSink('one writer', committed, n)
        checkSink('one writer: revisions', store.revision - before, n)
      },
    },
    {
      name: `${CALLERS} callers`,
      async run(n) {
        const before = store.revision
        const left = { n }
        const counts = await Promise.all(Array.from({ length: CALLERS }, (_, c) => caller(store, c, left)))
        const committed = counts.reduce((a, b) => a + b, 0)
        checkSink(`${CALLERS} callers`, committed, n)
        checkSink(`${CALLERS} callers: revisions`, store.revision - before, committed)
      },
    },
  ]
  log(`throughput: ${rounds} rounds`)
  const timings = await interleave(cases, { rounds, sampleMs: quick ? 20 : 500, minOps: CALLERS, log })
  await store.close()

  const rows = cases.map((c): Row => {
    const perSecond = mapSummary(summarize(timings[c.name]!.msPerOp), (ms) => 1000 / ms)
    return {
      id: 4,
      label: `hotconf commits/s, ${c.name} (100 keys)`,
      value: figure(perSecond, 'commits/s'),
      target: atLeast(`≥ ${TARGET.toLocaleString('en')}/s`, perSecond, TARGET),
    }
  })
  return { rows, raw: { timings, unit: 'ms per commit' } }
}

// --- internal ---

/** One of the concurrent callers: sets of its own key, each awaited before the next, until `left` runs out. */
async function caller(store: ConfigStore<any>, index: number, left: { n: number }): Promise<number> {
  const path = `k${index}.k1`
  let committed = 0
  while (left.n-- > 0) if ((await store.set(path, fresh())).status === 'committed') committed++
  return committed
}
