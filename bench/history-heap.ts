// Measure 5: heap retained by 1,000 history entries of a 10,000-key config, one key changed by each commit, against
// 1,000 structuredClone copies with one key changed each. heapUsed delta after 12 forced GCs (--expose-gc).
import { type MeasureRun, need, quietLogger } from './measure.ts'
import { checkSink, collectGarbage } from './rounds.ts'
import { mapSummary, perRound, summarize } from './stats.ts'
import { atMost, figure, type Row } from './table.ts'
import { nthLeaf, type TreeLayout, treeLayout } from './tree-layout.ts'

const KEYS = 10_000
const MB = 2 ** 20

export const run: MeasureRun = async ({ quick, rounds, log }) => {
  const { createConfigStore } = await need(() => import('../src/index.ts'), 'the core store', [
    'createConfigStore',
  ])
  if (!(globalThis as { gc?: unknown }).gc)
    throw new Error('measure 5 needs node --expose-gc (npm run bench has it)')
  const entries = quick ? 100 : 1_000
  const layout = treeLayout(KEYS)
  // Spread the changed keys over the whole tree, one distinct key per commit.
  const paths = Array.from({ length: entries }, (_, i) => nthLeaf(KEYS, (i * 7919) % KEYS))

  /** Heap held by the store's history after `entries` commits (the store itself exists before the baseline). */
  const history = async () => {
    const store = await createConfigStore({
      schema: layout.schema,
      initial: parsed(layout),
      historyLimit: entries,
      logger: quietLogger,
    })
    const base = heap()
    for (let i = 0; i < entries; i++) await store.set(paths[i]!, i + 2)
    const bytes = heap() - base
    checkSink('history entries', store.history({ limit: entries * 2 }).length, entries)
    await store.close()
    return bytes
  }
  const clones = () => {
    const base = heap()
    const copies: Record<string, any>[] = []
    let config: Record<string, any> = parsed(layout)
    for (let i = 0; i < entries; i++) {
      config = structuredClone(config)
      const keys = paths[i]!.split('.')
      let parent = config
      for (const k of keys.slice(0, -1)) parent = parent[k]
      parent[keys[keys.length - 1]!] = i + 2
      copies.push(config)
    }
    const bytes = heap() - base
    checkSink('clones', copies.length, entries)
    return bytes
  }
  // Warm-up before any baseline: JIT, and the store's per-path caches for these very paths.
  await history()
  const samples = { history: [] as number[], clones: [] as number[] }
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      samples.history.push(await history())
      samples.clones.push(clones())
    } else {
      samples.clones.push(clones())
      samples.history.push(await history())
    }
    log(`  round ${r + 1}/${rounds}`)
  }

  const mb = (xs: number[]) => mapSummary(summarize(xs), (b) => b / MB)
  const share = summarize(perRound(samples.history, samples.clones, (h, c) => (100 * h) / c))
  const perEntry = (xs: number[]) =>
    `${Math.round(summarize(xs).median / entries).toLocaleString('en')} B/entry`
  const n = entries.toLocaleString('en')
  const rows: Row[] = [
    {
      id: 5,
      label: `hotconf: ${n} history entries, 10,000 keys, one key changed each`,
      value: figure(mb(samples.history), 'MB'),
      ratio: { label: '% of clones', summary: share },
      target: atMost('≤ 2% of the clones', share, 2),
      note: perEntry(samples.history),
    },
    {
      id: 5,
      label: `${n} \`structuredClone\` copies, one key changed each`,
      value: figure(mb(samples.clones), 'MB'),
      note: `${perEntry(samples.clones)}, i.e. one whole config each`,
    },
    ...['node-config', 'convict', 'nconf'].map(
      (peer): Row => ({ id: 5, label: peer, value: { na: 'n/a: keeps no history of past configs' } }),
    ),
  ]
  return { rows, raw: { entries, keys: KEYS, bytes: samples } }
}

// --- internal ---

/** heapUsed once 12 forced GCs have settled the heap. */
function heap(): number {
  collectGarbage(12)
  return process.memoryUsage().heapUsed
}

/** The layout's tree through a JSON round trip, so that it looks like a parsed config file. */
function parsed(layout: TreeLayout): Record<string, any> {
  return JSON.parse(JSON.stringify(layout.value))
}
