import { fc, test } from '@fast-check/vitest'
import { afterAll, describe, expect } from 'vitest'
import { ConfigError, createConfigStore } from '../../src/index.ts'
import { diffConfigs, modelSchema, sortChanges } from './model-config.ts'
import { decide, initialModel, type Model, retained } from './model-decide.ts'
import { expectOutcome, quietLogger, type Real, verify, watch } from './model-verify.ts'
import { bind, type Submitted, submit, validPatchArb, type Write, writeArb } from './model-writes.ts'

/** The history model adds the snapshot ids the store handed out, by the revision each pins. */
interface HistoryModel extends Model {
  readonly snapshots: Map<string, number>
}

/** Outcomes seen across all runs: the generators must reach every case the property claims to cover. */
const tally = new Map<string, number>()
const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1)
let failed = false

/**
 * Applies a write to both sides and checks the result; a committed rollback must restore its target exactly.
 * `bySnapshot` sends a rollback by snapshot id instead of by revision.
 */
async function write(model: HistoryModel, real: Real, w: Submitted, bySnapshot?: string): Promise<void> {
  const actor = `h${model.nextActor++}`
  const trimmed = w.kind === 'rollback' && w.target < model.commits.length - model.limit
  const result = bySnapshot
    ? await real.store.rollback(bySnapshot, { actor })
    : await submit(real.store, w, { actor })
  const want = decide(model, w, actor)
  expectOutcome(result, want)
  if (w.kind === 'rollback') {
    count(`rollback${bySnapshot ? ' by snapshot' : ''}${trimmed ? ' past the limit' : ''}: ${result.status}`)
  }
  if (w.kind === 'rollback' && result.status === 'committed') {
    // Exactly what readers saw at that revision, not merely what the model thinks it was.
    const shown = real.seen[w.target - 1]!
    expect(shown.revision).toBe(w.target)
    expect(real.store.current).toEqual(shown.config)
    expect(real.store.history({ limit: 1 })[0]).toMatchObject({ source: 'rollback', rollbackOf: w.target })
  }
  checkHistory(model, real)
}

/** Besides everything `verify` checks: entries are newest first in time too, and `diff` answers from history. */
function checkHistory(model: HistoryModel, real: Real): void {
  verify(model, real)
  const history = real.store.history()
  for (let i = 1; i < history.length; i++) {
    expect(history[i - 1]!.at.getTime()).toBeGreaterThan(history[i]!.at.getTime())
  }
  for (const entry of history) {
    const [before, after] = [real.seen[entry.revision - 2]!, real.seen[entry.revision - 1]!]
    expect(sortChanges(entry.changes)).toEqual(diffConfigs(before.config, after.config))
  }
  expect(
    real.store
      .snapshots()
      .map((s) => [s.id, s.revision])
      .sort(),
  ).toEqual([...model.snapshots].sort())
}

class WriteCommand implements fc.AsyncCommand<HistoryModel, Real> {
  constructor(readonly write: Write) {}
  check = () => true
  run = (model: HistoryModel, real: Real) => write(model, real, bind(this.write, model.commits.length))
  toString = () => `write(${fc.stringify(this.write)})`
}

/** A rollback to any revision ever committed: retained ones come back exactly, the others are NOT_FOUND. */
class RollbackCommand implements fc.AsyncCommand<HistoryModel, Real> {
  constructor(readonly pick: number) {}
  check = () => true
  run = (model: HistoryModel, real: Real) =>
    write(model, real, { kind: 'rollback', target: 1 + (this.pick % model.commits.length) })
  toString = () => `rollback(#${this.pick})`
}

class SnapshotCommand implements fc.AsyncCommand<HistoryModel, Real> {
  check = () => true
  async run(model: HistoryModel, real: Real): Promise<void> {
    const snap = await real.store.snapshot({ label: `at ${model.commits.length}` })
    expect(snap.revision).toBe(model.commits.length)
    model.snapshots.set(snap.id, snap.revision)
    model.pinned.push(snap.revision)
    checkHistory(model, real)
  }
  toString = () => 'snapshot()'
}

class DeleteSnapshotCommand implements fc.AsyncCommand<HistoryModel, Real> {
  constructor(readonly pick: number) {}
  check = (model: Readonly<HistoryModel>) => model.snapshots.size > 0
  async run(model: HistoryModel, real: Real): Promise<void> {
    const [id, revision] = [...model.snapshots][this.pick % model.snapshots.size]!
    expect(await real.store.deleteSnapshot(id)).toBe(true)
    model.snapshots.delete(id)
    model.pinned.splice(model.pinned.indexOf(revision), 1)
    checkHistory(model, real)
  }
  toString = () => `deleteSnapshot(#${this.pick})`
}

/** A rollback by snapshot id: the pinned config comes back even after history has let its revision go. */
class RollbackToSnapshotCommand implements fc.AsyncCommand<HistoryModel, Real> {
  constructor(readonly pick: number) {}
  check = (model: Readonly<HistoryModel>) => model.snapshots.size > 0
  run = (model: HistoryModel, real: Real) => {
    const [id, revision] = [...model.snapshots][this.pick % model.snapshots.size]!
    return write(model, real, { kind: 'rollback', target: revision }, id)
  }
  toString = () => `rollbackToSnapshot(#${this.pick})`
}

/** `diff(a, b)` between retained revisions is the leaf diff of what readers saw; otherwise NOT_FOUND. */
class DiffCommand implements fc.AsyncCommand<HistoryModel, Real> {
  constructor(
    readonly from: number,
    readonly to: number,
  ) {}
  check = () => true
  async run(model: HistoryModel, real: Real): Promise<void> {
    const [a, b] = [this.from, this.to].map((p) => 1 + (p % model.commits.length)) as [number, number]
    if (retained(model, a) && retained(model, b)) {
      const want = diffConfigs(real.seen[a - 1]!.config, real.seen[b - 1]!.config)
      expect(sortChanges(real.store.diff(a, b))).toEqual(want)
      count('diff: found')
    } else {
      const error = (() => {
        try {
          real.store.diff(a, b)
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(ConfigError)
      expect(error).toMatchObject({ code: 'NOT_FOUND' })
      count('diff: NOT_FOUND')
    }
  }
  toString = () => `diff(#${this.from}, #${this.to})`
}

/** Writes that mostly commit, so history fills up and trims. */
const commitArb: fc.Arbitrary<Write> = validPatchArb.map((patch) => ({ kind: 'patch', patch }))

const commands = fc.commands(
  [
    writeArb.map((w) => new WriteCommand(w)),
    ...Array.from({ length: 4 }, () => commitArb.map((w) => new WriteCommand(w))),
    fc.nat().map((pick) => new RollbackCommand(pick)),
    fc.constant(new SnapshotCommand()),
    fc.nat().map((pick) => new DeleteSnapshotCommand(pick)),
    fc.nat().map((pick) => new RollbackToSnapshotCommand(pick)),
    fc.nat().map((pick) => new RollbackToSnapshotCommand(pick)),
    fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => new DiffCommand(a, b)),
  ],
  { maxCommands: 25, size: 'max' },
)

describe('history and rollback against a model', () => {
  afterAll(() => {
    if (failed) return
    const missing = [
      'rollback: committed',
      'rollback past the limit: rejected',
      'rollback by snapshot past the limit: committed',
      'diff: found',
      'diff: NOT_FOUND',
    ].filter((key) => !tally.has(key))
    expect(missing, 'outcomes the generators never reached').toEqual([])
  })

  test.prop([fc.integer({ min: 1, max: 3 }), commands], { numRuns: 50 })(
    'rollback restores the exact config of its target; history is newest first, bounded, and pins outlive it',
    async (limit, cmds) => {
      let ticks = 0
      const errors: string[] = []
      const store = await createConfigStore({
        schema: modelSchema,
        historyLimit: limit,
        logger: quietLogger(errors),
        clock: () => {
          ticks++
          return new Date(Date.UTC(2025, 0, 1) + ticks * 1000)
        },
      })
      try {
        const setup = () => ({
          model: { ...initialModel(limit), snapshots: new Map<string, number>() },
          real: watch(store, errors),
        })
        await fc.asyncModelRun(setup, cmds)
      } catch (error) {
        failed = true
        throw error
      } finally {
        await store.close()
      }
    },
  )
})
