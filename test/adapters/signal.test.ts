import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { onSignal } from '../../src/adapters/signal/index.ts'
import { ConfigError, type ConfigSource, createConfigStore } from '../../src/index.ts'
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

  it('turns signals that arrive while its reload runs into exactly one more reload', async () => {
    let open = () => {}
    const gate = new Promise<void>((resolve) => {
      open = resolve
    })
    let loads = 0
    const slow: ConfigSource = {
      name: 'slow',
      async load() {
        loads++
        // The first reload (the second load) waits until the test has sent its burst.
        if (loads === 2) await gate
        return { data: { pool: { max: 10 + loads } } }
      },
    }
    const seen = { count: 0 }
    const count = () => seen.count++
    process.on('SIGUSR2', count)
    try {
      const store = await createConfigStore({
        schema: appSchema,
        sources: [slow],
        adapters: [onSignal('SIGUSR2')],
      })
      process.kill(process.pid, 'SIGUSR2')
      await until(() => loads === 2)
      const received = seen.count
      for (let i = 0; i < 10; i++) process.kill(process.pid, 'SIGUSR2')
      await until(() => seen.count > received)
      open()
      await until(() => store.stats().reloads === 2)
      // close waits for a reload still under way: nothing can start a third.
      await store.close()
      expect(loads).toBe(3)
      expect(store.history().map((h) => [h.source, h.reason])).toEqual([
        ['signal', 'received SIGUSR2'],
        ['signal', 'received SIGUSR2'],
      ])
      expect(store.current.pool.max).toBe(13)
    } finally {
      process.off('SIGUSR2', count)
    }
  })

  it('throws for a signal it cannot listen to', () => {
    expect(() => onSignal('SIGKILL')).toThrow(ConfigError)
    expect(() => onSignal('SIGNOPE' as NodeJS.Signals)).toThrow(/cannot listen to SIGNOPE/)
  })
})
