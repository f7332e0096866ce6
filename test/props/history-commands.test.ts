import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { createConfigStore } from '../../src/index.ts'
import { appSchema } from '../fixtures/schemas.ts'

const LIMIT = 4

const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('set' as const), value: fc.integer({ min: 2, max: 9 }) }),
    fc.record({ op: fc.constant('snapshot' as const), tag: fc.constantFrom('a' as const, 'b' as const) }),
    fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
    fc.record({ op: fc.constant('rollbackRevision' as const), back: fc.integer({ min: 1, max: LIMIT + 3 }) }),
    fc.record({ op: fc.constant('rollbackSnapshot' as const), pick: fc.nat() }),
    fc.record({ op: fc.constant('import' as const), back: fc.integer({ min: 0, max: LIMIT }) }),
  ),
  { maxLength: 25 },
)

describe('history, snapshots and rollback against a model', () => {
  test.prop([ops], { numRuns: 60 })(
    'rollback restores the exact target config, pinned snapshots outlive trimming, history is newest first and bounded',
    async (plan) => {
      const store = await createConfigStore({ schema: appSchema, historyLimit: LIMIT })
      // Model: pool.max of every committed revision (index = revision - 1), and the pinned snapshots.
      const maxes = [store.current.pool.max]
      const pinned = new Map<string, { revision: number; max: number; tag: string }>()
      const commit = (max: number, status: string) => {
        if (max === maxes[maxes.length - 1]) expect(status).toBe('unchanged')
        else {
          expect(status).toBe('committed')
          maxes.push(max)
        }
      }
      for (const step of plan) {
        const live = maxes.length
        if (step.op === 'set') commit(step.value, (await store.set('pool.max', step.value)).status)
        else if (step.op === 'snapshot') {
          const snap = await store.snapshot({ tags: [step.tag] })
          expect(snap.revision).toBe(live)
          pinned.set(snap.id, { revision: live, max: maxes[live - 1]!, tag: step.tag })
        } else if (step.op === 'delete' && pinned.size > 0) {
          const id = [...pinned.keys()][step.pick % pinned.size]!
          expect(await store.deleteSnapshot(id)).toBe(true)
          pinned.delete(id)
        } else if (step.op === 'rollbackRevision') {
          const target = live - step.back
          const retained = target >= 1 && target >= live - LIMIT
          const pinnedAt = [...pinned.values()].find((p) => p.revision === target)
          const result = await store.rollback(target)
          if (!retained && !pinnedAt) expect(result.status).toBe('rejected')
          else commit(maxes[target - 1]!, result.status)
        } else if (step.op === 'rollbackSnapshot' && pinned.size > 0) {
          const [id, snap] = [...pinned.entries()][step.pick % pinned.size]!
          commit(snap.max, (await store.rollback(id)).status)
        } else if (step.op === 'import') {
          const doc = store.export({ includeSecrets: true })
          const max = maxes[Math.max(0, live - 1 - step.back)]!
          const config = { ...(doc.config as Record<string, unknown>), pool: { min: 2, max } }
          commit(max, (await store.import({ ...doc, config })).status)
        }
        expect(store.current.pool.max).toBe(maxes[maxes.length - 1])
        expect(store.revision).toBe(maxes.length)
        const history = store.history()
        expect(history.map((h) => h.revision)).toEqual(
          Array.from({ length: Math.min(LIMIT, maxes.length - 1) }, (_, i) => maxes.length - i),
        )
        expect(
          store
            .snapshots()
            .map((s) => s.id)
            .sort(),
        ).toEqual([...pinned.keys()].sort())
        expect(store.snapshots({ tag: 'a' }).length).toBe(
          [...pinned.values()].filter((p) => p.tag === 'a').length,
        )
      }
      await store.close()
    },
  )
})
