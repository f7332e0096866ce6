import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { onSignal } from '../../src/adapters/signal/index.ts'
import { createConfigStore } from '../../src/index.ts'
import { appSchema } from '../fixtures/schemas.ts'
import { jsonLayer, until } from '../support/json-layer.ts'
import { useTempDirs } from '../support/temp-dir.ts'

const tempDir = useTempDirs()

describe('onSignal', () => {
  it('reloads on a real SIGHUP, coalesces a burst, and removes its listener on close', async () => {
    const file = join(await tempDir(), 'layer.json')
    await writeFile(file, JSON.stringify({ pool: { max: 20 } }))
    const layer = jsonLayer(file)
    const listeners = process.listenerCount('SIGHUP')
    const store = await createConfigStore({
      schema: appSchema,
      sources: [layer],
      adapters: [onSignal('SIGHUP')],
    })
    expect(process.listenerCount('SIGHUP')).toBe(listeners + 1)
    expect(store.status().adapters).toEqual([{ name: 'signal:SIGHUP', state: 'running' }])

    await writeFile(file, JSON.stringify({ pool: { max: 21 } }))
    process.kill(process.pid, 'SIGHUP')
    await until(() => store.current.pool.max === 21)
    expect(store.history()[0]).toMatchObject({ source: 'signal', reason: 'received SIGHUP' })

    const before = layer.reads
    for (let i = 0; i < 20; i++) process.kill(process.pid, 'SIGHUP')
    await until(() => store.stats().reloads >= 2)
    await new Promise((r) => setTimeout(r, 100))
    expect(layer.reads - before).toBeLessThanOrEqual(2)
    expect(layer.reads - before).toBeGreaterThanOrEqual(1)

    await store.close()
    expect(process.listenerCount('SIGHUP')).toBe(listeners)
  })
})
