// Measure 3: the one-key committed update of measure 2 on trees of 100, 1,000, 10,000 and 100,000 keys, each size
// compared with 100 keys in the same round. The floor (d) at each size is measured alongside as the reference curve.
import { type MeasureRun, need, quietLogger } from './measure.ts'
import { type Case, interleave } from './rounds.ts'
import { mapSummary, perRound, summarize } from './stats.ts'
import { atMost, figure, type Row } from './table.ts'
import { treeLayout } from './tree-layout.ts'
import { handWritten, hotconfSet } from './update-cases.ts'

export const run: MeasureRun = async ({ quick, rounds, log }) => {
  const { createConfigStore } = await need(() => import('../src/index.ts'), 'the core store', [
    'createConfigStore',
  ])
  // The 100,000-key tree (111,111 schema objects) is built once; its samples are as long as the others'.
  const sizes = quick ? [100, 10_000] : [100, 1_000, 10_000, 100_000]
  const cases: Case[] = []
  const stores = []
  for (const keys of sizes) {
    const t0 = performance.now()
    const layout = treeLayout(keys)
    const store = await createConfigStore({
      schema: layout.schema,
      initial: layout.value,
      logger: quietLogger,
    })
    log(`scaling: ${keys} keys built and loaded in ${(performance.now() - t0).toFixed(0)} ms`)
    stores.push(store)
    cases.push(
      hotconfSet(`hotconf@${keys}`, store, layout),
      handWritten(`floor-d@${keys}`, layout, 'subtree'),
    )
  }
  // Longer samples than measure 2: a major GC of the 100,000-key heap would otherwise dominate the sample it hits.
  const timings = await interleave(cases, { rounds, sampleMs: quick ? 10 : 400, log })
  for (const store of stores) await store.close()

  const rows = sizes.flatMap((keys): Row[] =>
    (['hotconf', 'floor-d'] as const).map((who): Row => {
      const name = `${who}@${keys}`
      const x100 = summarize(perRound(timings[name]!.msPerOp, timings[`${who}@100`]!.msPerOp))
      const label =
        who === 'hotconf'
          ? `hotconf \`store.set\`, ${keys.toLocaleString('en')} keys`
          : `floor (d), ${keys.toLocaleString('en')} keys`
      return {
        id: 3,
        label,
        value: figure(
          mapSummary(summarize(timings[name]!.msPerOp), (ms) => ms * 1000),
          'µs/op',
        ),
        ratio: { label: '×100 keys', summary: x100 },
        ...(who === 'hotconf' && keys === 100_000 ? { target: atMost('≤ 2× 100 keys', x100, 2) } : {}),
      }
    }),
  )
  return { rows, raw: { sizes, timings, unit: 'ms per op' } }
}
