import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createConfigStore, type StoreEvent } from '../../src/index.ts'
import { fileOverrides } from '../../src/persist/file-overrides.ts'
import type { OverridesBackend, PersistedOverrides } from '../../src/types.ts'
import { appSchema } from '../fixtures/schemas.ts'
import { until } from '../support/json-layer.ts'
import { useTempDirs } from '../support/temp-dir.ts'

const tempDir = useTempDirs()
const quiet = { debug() {}, info() {}, warn() {}, error() {} }

/**
 * The real file backend behind a stall: while `hold()` is in force, each write waits until `release()` and then
 * lands, as a write whose fsync stalled would. `written` lists what reached the file, in order.
 */
function stallingDisk(file: string) {
  const real = fileOverrides(file)
  const written: number[] = []
  let stall: Promise<void> | undefined
  let release = () => {}
  const backend: OverridesBackend = {
    ...real,
    name: 'stalling-disk',
    async save(doc: PersistedOverrides) {
      await stall
      await real.save(doc)
      written.push((doc.overrides as { pool?: { max?: number } }).pool?.max ?? 0)
    },
  }
  return {
    backend,
    written,
    hold() {
      stall = new Promise((resolve) => {
        release = () => {
          stall = undefined
          resolve()
        }
      })
    },
    release: () => release(),
  }
}

function openOn(backend: OverridesBackend, persistTimeoutMs: number) {
  return createConfigStore({
    schema: appSchema,
    environment: 'test',
    overrides: { backend },
    persistTimeoutMs,
    logger: quiet,
  })
}

async function onDisk(file: string): Promise<{ revision: number; overrides: { pool?: { max?: number } } }> {
  return JSON.parse(await readFile(file, 'utf8'))
}

describe('a save that stalls (slow fsync)', () => {
  it('rolls back with PERSIST_FAILED after persistTimeoutMs, and saves the live overrides again once the late write lands', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const disk = stallingDisk(file)
    // Long enough that a healthy save on a loaded two-core CI machine never runs out of it.
    const store = await openOn(disk.backend, 500)
    const events: StoreEvent[] = []
    store.events$.subscribe((e) => events.push(e))
    expect(await store.set('pool.max', 20)).toMatchObject({ status: 'committed', revision: 2 })

    disk.hold()
    const stalled = await store.set('pool.max', 33)
    expect(stalled).toMatchObject({ status: 'rolledBack', revision: 2, errors: [{ code: 'PERSIST_FAILED' }] })
    expect(stalled.status === 'rolledBack' && stalled.errors[0]!.message).toContain(
      'did not finish within 500 ms',
    )
    // Queued behind the stalled write and out of time before its turn: never started, so never written.
    expect(await store.set('pool.max', 44)).toMatchObject({ status: 'rolledBack', revision: 2 })
    expect(store.current.pool.max).toBe(20)
    expect(store.history().map((h) => h.revision)).toEqual([2])

    disk.release()
    await until(() => events.some((e) => e.type === 'warning' && e.message.includes('finished late')))
    // The stalled write of 33 landed, then the live 20 was written over it; 44 never reached the disk. The file's
    // revision only moves forward (past the 3 the late write left), so it never repeats one (issue 15).
    expect(disk.written).toEqual([20, 33, 20])
    expect(await onDisk(file)).toMatchObject({ revision: 4, overrides: { pool: { max: 20 } } })

    expect(await store.set('pool.max', 55)).toMatchObject({ status: 'committed', revision: 3 })
    await store.close()
    const reopened = await createConfigStore({
      schema: appSchema,
      environment: 'test',
      overrides: { file },
      logger: quiet,
    })
    expect(reopened.current.pool.max).toBe(55)
    await reopened.close()
  })

  it('does not let close() hang on a save that never finishes', async () => {
    const disk = stallingDisk(join(await tempDir(), 'overrides.json'))
    const store = await openOn(disk.backend, 40)
    disk.hold()
    expect(await store.set('pool.max', 21)).toMatchObject({ status: 'rolledBack' })
    await store.close()
    expect(await store.set('pool.max', 22)).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'CLOSED' }],
    })
    expect(disk.written).toEqual([])
  })
})
