// Measure 9 (issue 23): `store.reload()` after a one-key edit of the store's one YAML file, 100 keys against 10,000,
// each size compared with 100 keys in the same round. The save itself (writeFile) is not timed: only the reload,
// from the call to its committed result (read, parse, merge, validate, commit), in CPU time of the process (user +
// system, every thread): on a shared machine wall time mostly measures the neighbours. JSON at 10,000 keys for scale.
import { writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type MeasureRun, need, quietLogger } from './measure.ts'
import { perRound, summarize } from './stats.ts'
import { atMost, figure, type Row } from './table.ts'
import { type TreeLayout, treeLayout } from './tree-layout.ts'

interface Subject {
  readonly name: string
  readonly label: string
  readonly keys: number
  readonly format: 'yaml' | 'json'
}

const SUBJECTS: readonly Subject[] = [
  {
    name: 'yaml@100',
    label: 'hotconf `reload()` after a one-key edit, YAML, 100 keys',
    keys: 100,
    format: 'yaml',
  },
  {
    name: 'yaml@10000',
    label: 'hotconf `reload()` after a one-key edit, YAML, 10,000 keys',
    keys: 10_000,
    format: 'yaml',
  },
  {
    name: 'json@10000',
    label: 'hotconf `reload()` after a one-key edit, JSON, 10,000 keys',
    keys: 10_000,
    format: 'json',
  },
]

export const run: MeasureRun = async ({ quick, rounds, log }) => {
  const { createConfigStore } = await need(() => import('../src/index.ts'), 'the core store', [
    'createConfigStore',
  ])
  const { fileSource } = await need(() => import('../src/sources/index.ts'), 'the file source', [
    'fileSource',
  ])
  const dir = await mkdtemp(join(tmpdir(), 'hotconf-bench-reload-size-'))
  try {
    const saves = quick ? 5 : 60
    const prepared = []
    for (const subject of SUBJECTS) {
      const layout = treeLayout(subject.keys)
      const file = join(dir, `${subject.name.replace('@', '-')}.${subject.format}`)
      // Two versions of the file that differ in the one leaf: every reload commits.
      const texts = [2, 3].map((leaf) => render(edited(layout, leaf), subject.format))
      writeFileSync(file, texts[1]!)
      const store = await createConfigStore({
        schema: layout.schema,
        sources: [fileSource(file)],
        logger: quietLogger,
      })
      const reloadOnce = async (i: number): Promise<number> => {
        writeFileSync(file, texts[i % 2]!)
        const t0 = process.cpuUsage()
        const result = await store.reload()
        const spent = process.cpuUsage(t0)
        const ms = (spent.user + spent.system) / 1000
        if (result.status !== 'committed') throw new Error(`${subject.name}: reload ${result.status}`)
        return ms
      }
      // Warm-up: the JIT, and the first YAML document loads the parser.
      for (let i = 0; i < saves; i++) await reloadOnce(i)
      prepared.push({ subject, store, reloadOnce })
    }
    const samples: Record<string, number[]> = Object.fromEntries(SUBJECTS.map((s) => [s.name, []]))
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < prepared.length; k++) {
        const { subject, reloadOnce } = prepared[(k + r) % prepared.length]!
        let total = 0
        for (let i = 0; i < saves; i++) total += await reloadOnce(i)
        samples[subject.name]!.push(total / saves)
      }
      log(`  round ${r + 1}/${rounds}`)
    }
    for (const { store } of prepared) await store.close()
    const rows = SUBJECTS.map((subject): Row => {
      const x100 = summarize(perRound(samples[subject.name]!, samples['yaml@100']!))
      return {
        id: 9,
        label: subject.label,
        value: figure(summarize(samples[subject.name]!), 'CPU ms'),
        ...(subject.name === 'yaml@100' ? {} : { ratio: { label: '×YAML 100 keys', summary: x100 } }),
        ...(subject.name === 'yaml@10000' ? { target: atMost('≤ 1.5× 100 keys', x100, 1.5) } : {}),
      }
    })
    return { rows, raw: { samples, saves, unit: 'CPU ms per reload' } }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

// --- internal ---

/** The layout's tree with its changed leaf set to `leaf`. */
function edited(layout: TreeLayout, leaf: number): Record<string, unknown> {
  const copy = structuredClone(layout.value)
  let node = copy
  for (const key of layout.leaf.slice(0, -1)) node = node[key]
  node[layout.leaf.at(-1)!] = leaf
  return copy
}

/** Block-style YAML as a person writes it (two-space indent), or pretty JSON. */
function render(tree: Record<string, unknown>, format: 'yaml' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(tree, null, 2)}\n`
  const lines: string[] = []
  const walk = (node: Record<string, unknown>, indent: string) => {
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'object' && value !== null) {
        lines.push(`${indent}${key}:`)
        walk(value as Record<string, unknown>, `${indent}  `)
      } else lines.push(`${indent}${key}: ${String(value)}`)
    }
  }
  walk(tree, '')
  return `${lines.join('\n')}\n`
}
