// Measure 2: one committed one-key update through the full machine, µs/op, at 100 and 10,000 keys, against the
// hand-written floor (baseline variant d, and the whole-tree variant c), convict `set`+`validate` and nconf `set`.
import { type MeasureRun, need, quietLogger } from './measure.ts'
import { loadPeer } from './peers.ts'
import { type Case, checkSink, interleave } from './rounds.ts'
import { mapSummary, perRound, summarize } from './stats.ts'
import { atMost, figure, na, type Row } from './table.ts'
import { convictTree, treeLayout } from './tree-layout.ts'
import { fresh, handWritten, hotconfSet, hotconfValidate } from './update-cases.ts'

const SIZES = [100, 10_000] as const

export const run: MeasureRun = async ({ quick, rounds, log }) => {
  const { createConfigStore } = await need(() => import('../src/index.ts'), 'the core store', [
    'createConfigStore',
  ])
  const convict = await loadPeer('convict')
  const nconf = await loadPeer('nconf')
  const cases: Case[] = []
  const stores = []
  for (const keys of SIZES) {
    const layout = treeLayout(keys)
    const store = await createConfigStore({
      schema: layout.schema,
      initial: layout.value,
      logger: quietLogger,
    })
    stores.push(store)
    cases.push(
      hotconfSet(`hotconf@${keys}`, store, layout),
      hotconfValidate(`validate@${keys}`, store, layout),
      handWritten(`floor-d@${keys}`, layout, 'subtree'),
      handWritten(`floor-c@${keys}`, layout, 'whole'),
    )
    if (convict.ok) cases.push(convictCase(`convict@${keys}`, convict.module, keys, layout.path))
    if (nconf.ok) cases.push(nconfCase(`nconf@${keys}`, nconf.module, layout.value, layout.path))
  }

  log(`update: ${cases.length} cases, ${rounds} rounds`)
  const timings = await interleave(cases, { rounds, sampleMs: quick ? 10 : 150, log })
  for (const store of stores) await store.close()

  const us = (name: string) => mapSummary(summarize(timings[name]!.msPerOp), (ms) => ms * 1000)
  const over = (a: string, b: string) => summarize(perRound(timings[a]!.msPerOp, timings[b]!.msPerOp))
  const rows: Row[] = SIZES.flatMap((keys): Row[] => {
    const at = (name: string) => `${name}@${keys}`
    const k = `${keys.toLocaleString('en')} keys`
    const xFloor = over(at('hotconf'), at('floor-d'))
    const peer = (name: 'convict' | 'nconf', label: string): Row => {
      const loaded = name === 'convict' ? convict : nconf
      if (!loaded.ok) return { id: 2, label, value: na(loaded.why) }
      return {
        id: 2,
        label,
        value: figure(us(at(name)), 'µs/op'),
        ratio: { label: '×hotconf', summary: over(at(name), at('hotconf')) },
      }
    }
    return [
      {
        id: 2,
        label: `hotconf \`store.set\`, ${k}`,
        value: figure(us(at('hotconf')), 'µs/op'),
        ratio: { label: '×floor (d)', summary: xFloor },
        target: atMost('≤ 2× floor (d)', xFloor, 2),
      },
      {
        id: 2,
        label: `hotconf \`store.validate\` (dry run, same change), ${k}`,
        value: figure(us(at('validate')), 'µs/op'),
        ratio: { label: '×floor (d)', summary: over(at('validate'), at('floor-d')) },
      },
      {
        id: 2,
        label: `floor (d): immer + zod(changed subtree) + Subject.next, ${k}`,
        value: figure(us(at('floor-d')), 'µs/op'),
      },
      {
        id: 2,
        label: `floor (c): immer + zod(whole tree) + Subject.next, ${k}`,
        value: figure(us(at('floor-c')), 'µs/op'),
        ratio: { label: '×floor (d)', summary: over(at('floor-c'), at('floor-d')) },
      },
      peer('convict', `convict \`set\` + \`validate()\`, ${k}`),
      peer('nconf', `nconf \`set\` (no validation), ${k}`),
      {
        id: 2,
        label: `node-config, ${k}`,
        value: na('no runtime updates (the config is immutable after the first `get`)'),
      },
    ]
  })
  return { rows, raw: { timings, unit: 'ms per op' } }
}

// --- internal ---

function convictCase(name: string, convict: any, keys: number, path: string): Case {
  const conf = convict(convictTree(keys))
  conf.validate()
  return {
    name,
    run(n) {
      let last = 0
      for (let i = 0; i < n; i++) {
        last = fresh()
        conf.set(path, last)
        conf.validate()
      }
      checkSink(name, conf.get(path), last)
    },
  }
}

function nconfCase(name: string, nconf: any, value: Record<string, unknown>, path: string): Case {
  const provider = new nconf.Provider()
  provider.use('memory')
  for (const [key, child] of Object.entries(structuredClone(value))) provider.set(key, child)
  const key = path.replaceAll('.', ':')
  return {
    name,
    run(n) {
      let last = 0
      for (let i = 0; i < n; i++) {
        last = fresh()
        provider.set(key, last)
      }
      checkSink(name, provider.get(key), last)
    },
  }
}
