import { afterEach, describe, expect, it } from 'vitest'
import { createAdminApp } from '../../../src/adapters/http/index.ts'
import {
  type Adapter,
  ConfigError,
  type ConfigSource,
  type ConfigStore,
  createConfigStore,
} from '../../../src/index.ts'
import { probeAdapter } from '../../support/probe-adapter.ts'
import { memoryLogger, READ, SECRETS, schema, type TestConfig, TOKENS } from './fixture.ts'

const stores: ConfigStore<TestConfig>[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})

/** A layer whose data the test sets, and which fails to load while `broken`. */
function memoryLayer(data: Record<string, unknown>) {
  const layer: ConfigSource & { data: Record<string, unknown>; broken: boolean } = {
    name: 'memory',
    data,
    broken: false,
    async load() {
      if (layer.broken)
        throw new ConfigError({ code: 'SOURCE_FAILED', path: '', message: 'memory is broken' })
      return { data: layer.data }
    },
  }
  return layer
}

async function open(options: { sources?: ConfigSource[]; adapters?: Adapter[] } = {}) {
  const store = await createConfigStore({
    schema,
    initial: { name: 'svc' },
    logger: memoryLogger(),
    ...options,
  })
  stores.push(store)
  return store
}

async function scrape(store: ConfigStore<TestConfig>, prefix?: string): Promise<string> {
  const app = createAdminApp(store, { tokens: TOKENS, ...(prefix ? { metricsPrefix: prefix } : {}) })
  const res = await app.request('/config/metrics', { headers: { authorization: `Bearer ${READ}` } })
  expect(res.status).toBe(200)
  return res.text()
}

const value = (text: string, metric: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${metric} `))
  return line === undefined ? undefined : Number(line.slice(metric.length + 1))
}

describe('GET /metrics gauges (#21)', () => {
  it('shows whether the last reload worked and when one last did, the start counting as the first', async () => {
    const layer = memoryLayer({ pool: { max: 20 } })
    const store = await open({ sources: [layer] })
    const first = await scrape(store)
    expect(value(first, 'hotconf_last_reload_successful')).toBe(1)
    const started = value(first, 'hotconf_last_reload_success_timestamp_seconds')!
    expect(Math.abs(started - Date.now() / 1000)).toBeLessThan(60)

    layer.broken = true
    expect((await store.reload()).status).toBe('rejected')
    const failed = await scrape(store)
    expect(value(failed, 'hotconf_last_reload_successful')).toBe(0)
    expect(value(failed, 'hotconf_last_reload_success_timestamp_seconds')).toBe(started)

    layer.broken = false
    layer.data = { pool: { max: 30 } }
    await new Promise((r) => setTimeout(r, 20))
    expect((await store.reload()).status).toBe('committed')
    const recovered = await scrape(store)
    expect(value(recovered, 'hotconf_last_reload_successful')).toBe(1)
    expect(value(recovered, 'hotconf_last_reload_success_timestamp_seconds')).toBeGreaterThan(started)
    expect(value(recovered, 'hotconf_config_revision')).toBe(store.revision)
    // An update that fails is not a reload.
    await store.update({ pool: { max: 0 } })
    expect(value(await scrape(store), 'hotconf_last_reload_successful')).toBe(1)
  })

  it('counts the keys waiting for a restart', async () => {
    const layer = memoryLayer({})
    const store = await open({ sources: [layer] })
    expect(value(await scrape(store), 'hotconf_pending_restart')).toBe(0)
    layer.data = { server: { port: 9090 } }
    await store.reload()
    expect(value(await scrape(store), 'hotconf_pending_restart')).toBe(1)
  })

  it('shows each adapter as up or not, by name', async () => {
    const watcher = probeAdapter('watcher')
    const extra = probeAdapter('extra', true)
    const store = await open({ adapters: [watcher, extra] })
    expect(await scrape(store)).toMatch(/^hotconf_adapter_up\{adapter="watcher"\} 1$/m)
    watcher.ctx!.setState('failed', new Error('gone'))
    const text = await scrape(store)
    expect(text).toMatch(/^hotconf_adapter_up\{adapter="watcher"\} 0$/m)
    expect(text).toMatch(/^hotconf_adapter_up\{adapter="extra"\} 1$/m)
  })

  it('labels config_info with a hash of the redacted config: equal for equal configs, never a secret', async () => {
    const hashOf = (text: string) => /^hotconf_config_info\{hash="([0-9a-f]{16})"\} 1$/m.exec(text)?.[1]
    const a = await open()
    const b = await open()
    const before = hashOf(await scrape(a))
    expect(before).toBeDefined()
    expect(hashOf(await scrape(b))).toBe(before)
    await a.set('pool.max', 99)
    const changed = await scrape(a)
    expect(hashOf(changed)).not.toBe(before)
    // Only the secret differs: the hash cannot tell, so it cannot confirm a guess either.
    await b.set('pool.max', 99)
    await b.set('apiKey', 'sk-rotated-0000')
    expect(hashOf(await scrape(b))).toBe(hashOf(changed))
    for (const secret of [...SECRETS, 'sk-rotated-0000']) expect(changed).not.toContain(secret)
  })

  it('subscribes once per store and prefix however many admin apps it serves, and lets go when the store closes', async () => {
    const store = await open()
    const before = store.status().observers
    for (let i = 0; i < 20; i++) await scrape(store)
    expect(store.status().observers).toBe(before + 1)
    expect(value(await scrape(store, 'svc_'), 'svc_config_revision')).toBe(1)
    expect(store.status().observers).toBe(before + 2)
    await store.close()
    expect(store.status().observers).toBe(0)
  })
})

describe('GET /health and adapters (#21)', () => {
  it('answers 503 naming a failed adapter the store cannot do without, 200 again once it recovers', async () => {
    const sync = probeAdapter('sync')
    const store = await open({ adapters: [sync] })
    const app = createAdminApp(store, { tokens: TOKENS })
    sync.ctx!.setState('failed', new Error(`lost ${SECRETS[0]}`))
    const res = await app.request('/config/health')
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({ status: 'failing', failed: ['sync'] })
    sync.ctx!.setState('running')
    expect((await app.request('/config/health')).status).toBe(200)
  })

  it('stays 200 when only an adapter marked optional has failed, which status() shows as optional', async () => {
    const extra = probeAdapter('extra', true)
    const store = await open({ adapters: [extra] })
    extra.ctx!.setState('failed', new Error('gone'))
    const res = await createAdminApp(store, { tokens: TOKENS }).request('/config/health')
    expect(res.status).toBe(200)
    expect(store.status().adapters).toEqual([
      { name: 'extra', optional: true, state: 'failed', lastError: 'gone' },
    ])
  })
})
