import { describe, expect, it } from 'vitest'
import { type Adapter, createConfigStore } from '../src/index.ts'
import { appSchema } from './fixtures/schemas.ts'

const quiet = { debug() {}, info() {}, warn() {}, error() {} }

describe('adapters', () => {
  it('start after the store is ready, send changes through the pipeline, and stop on close', async () => {
    const log: string[] = []
    const adapter: Adapter = {
      name: 'test',
      async start(ctx) {
        log.push(`start r${ctx.store.revision}`)
        const result = await ctx.update({ pool: { max: 12 } } as never, { reason: 'from adapter' })
        log.push(result.status)
        ctx.signal.addEventListener('abort', () => log.push('aborted'))
        return { dispose: () => void log.push('disposed') }
      },
    }
    const store = await createConfigStore({ schema: appSchema, adapters: [adapter] })
    expect(store.status().adapters).toEqual([{ name: 'test', state: 'running' }])
    expect(store.history()[0]).toMatchObject({ source: 'test', reason: 'from adapter' })
    await store.close()
    expect(log).toEqual(['start r1', 'committed', 'aborted', 'disposed'])
    expect(store.status().adapters).toEqual([{ name: 'test', state: 'stopped' }])
  })

  it('report an adapter that fails to start as failed, without failing the store', async () => {
    const bad: Adapter = {
      name: 'bad',
      start() {
        throw new Error('port in use')
      },
    }
    const store = await createConfigStore({ schema: appSchema, adapters: [bad], logger: quiet })
    expect(store.status().adapters).toEqual([{ name: 'bad', state: 'failed', lastError: 'port in use' }])
    expect((await store.set('pool.max', 3)).status).toBe('committed')
    await store.close()
  })

  it('let an adapter report failure and recovery', async () => {
    let report: ((state: 'failed' | 'running', error?: unknown) => void) | undefined
    const flaky: Adapter = {
      name: 'flaky',
      start(ctx) {
        report = ctx.setState
        return { dispose() {} }
      },
    }
    const store = await createConfigStore({ schema: appSchema, adapters: [flaky] })
    const states: string[] = []
    store.events$.subscribe((e) => e.type === 'adapter' && states.push(e.state))
    report?.('failed', new Error('lost connection'))
    expect(store.status().adapters[0]).toEqual({
      name: 'flaky',
      state: 'failed',
      lastError: 'lost connection',
    })
    report?.('running')
    expect(store.status().adapters[0]?.state).toBe('running')
    expect(states).toEqual(['failed', 'running'])
    await store.close()
  })
})
