import { freeze, Immer } from 'immer'
import { Subject } from 'rxjs'
import type { z } from 'zod'
import type { ConfigStore } from '../src/types.ts'
import { type Case, checkSink } from './rounds.ts'
import type { TreeLayout } from './tree-layout.ts'

/** Every op writes a value no earlier op wrote, so every update really changes the leaf (no `unchanged`). */
let nextValue = 2
export const fresh = () => nextValue++

/**
 * `store.set(leaf, v)` through the whole transaction machine, awaited one at a time. Every result must be
 * `committed`, and the store must hold the last value afterwards.
 */
export function hotconfSet(name: string, store: ConfigStore<any>, layout: TreeLayout): Case {
  const { path } = layout
  return {
    name,
    async run(n) {
      let committed = 0
      let last = 0
      for (let i = 0; i < n; i++) {
        last = fresh()
        const result = await store.set(path, last)
        if (result.status === 'committed') committed++
      }
      checkSink(name, committed, n)
      checkSink(name, store.get(path), last)
    },
  }
}

/**
 * `store.validate(patch)` of the same leaf: the dry run (validating alone, nothing committed). Every result must be
 * `ok` with the one change, and the store must be left as it was.
 */
export function hotconfValidate(name: string, store: ConfigStore<any>, layout: TreeLayout): Case {
  const { leaf, path } = layout
  return {
    name,
    async run(n) {
      const revision = store.revision
      const value = store.get(path)
      let ok = 0
      for (let i = 0; i < n; i++) {
        const patch = leaf.reduceRight<unknown>((inner, key) => ({ [key]: inner }), fresh())
        const result = await store.validate(patch as Record<string, unknown>)
        if (result.ok && result.changes.length === 1) ok++
      }
      checkSink(name, ok, n)
      checkSink(name, store.revision, revision)
      checkSink(name, store.get(path), value)
    },
  }
}

/**
 * The hand-written floor of the baseline: a private immer `produce` of the changed leaf (auto-frozen), zod
 * `safeParse` of either the changed leaf's parent object (variant d, what hotconf aims at) or the whole tree
 * (variant c), and `Subject.next` to one subscriber.
 */
export function handWritten(name: string, layout: TreeLayout, validate: 'subtree' | 'whole'): Case {
  const immer = new Immer({ autoFreeze: true })
  const parents = layout.leaf.slice(0, -1)
  const last = layout.leaf[layout.leaf.length - 1]!
  const schema: z.ZodType = validate === 'whole' ? layout.schema : layout.parentSchema
  const depth = validate === 'whole' ? 0 : parents.length
  let current: Record<string, any> = freeze(structuredClone(layout.value), true)
  let seen: Record<string, any> = current
  const subject = new Subject<Record<string, any>>()
  subject.subscribe((config) => {
    seen = config
  })
  let v = 0
  const recipe = (draft: Record<string, any>) => {
    let o = draft
    for (const k of parents) o = o[k]
    o[last] = v
  }
  return {
    name,
    run(n) {
      for (let i = 0; i < n; i++) {
        v = fresh()
        current = immer.produce(current, recipe)
        let checked: unknown = current
        for (let d = 0; d < depth; d++) checked = (checked as Record<string, unknown>)[parents[d]!]
        if (!schema.safeParse(checked).success) throw new Error(`${name}: the floor's update is invalid`)
        subject.next(current)
      }
      let leaf: any = seen
      for (const k of parents) leaf = leaf[k]
      checkSink(name, leaf[last], v)
    },
  }
}
