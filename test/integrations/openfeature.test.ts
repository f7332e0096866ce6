import { type EventDetails, OpenFeature, ProviderEvents } from '@openfeature/server-sdk'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type Adapter, createConfigStore, secret } from '../../src/index.ts'
import { HotconfProvider } from '../../src/integrations/openfeature/index.ts'
import { probeAdapter } from '../support/probe-adapter.ts'

const schema = z.object({
  features: z
    .object({
      newCheckout: z.boolean().default(false),
      banner: z.string().default('hello'),
      ratio: z.number().default(0.5),
      limits: z.object({ max: z.number().default(3) }).prefault({}),
      token: secret(z.string()).default('sk-flag-secret-1'),
    })
    .prefault({}),
  pool: z.object({ max: z.number().default(10) }).prefault({}),
})
const quiet = { debug() {}, info() {}, warn() {}, error() {} }

let domains = 0
const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/** A store behind a HotconfProvider in a domain of its own of the real SDK, and a client of that domain. */
async function flags(adapters: Adapter[] = []) {
  const store = await createConfigStore({ schema, adapters, logger: quiet })
  const domain = `hotconf-test-${++domains}`
  const provider = new HotconfProvider(store, { prefix: 'features' })
  await OpenFeature.setProviderAndWait(domain, provider)
  cleanups.push(
    () => store.close(),
    () => OpenFeature.clearProviders(),
  )
  return { store, provider, client: OpenFeature.getClient(domain) }
}

/** Collects the details of each event of `type` the client hears. */
function heard(client: ReturnType<typeof OpenFeature.getClient>, type: ProviderEvents) {
  const seen: EventDetails[] = []
  client.addHandler(type, (details) => void seen.push(details as EventDetails))
  return seen
}

describe('HotconfProvider (hotconf/openfeature, #21)', () => {
  it('resolves each flag type by its path under the prefix, STATIC, with the revision', async () => {
    const { store, client } = await flags()
    await store.set('features.newCheckout', true)
    expect(await client.getBooleanDetails('newCheckout', false)).toMatchObject({
      flagKey: 'newCheckout',
      value: true,
      reason: 'STATIC',
      flagMetadata: { revision: 2 },
    })
    expect(await client.getStringValue('banner', 'x')).toBe('hello')
    expect(await client.getNumberValue('ratio', 0)).toBe(0.5)
    expect(await client.getNumberValue('limits.max', 0)).toBe(3)
    expect(await client.getObjectValue('limits', {})).toEqual({ max: 3 })
  })

  it('gives the default with FLAG_NOT_FOUND for a missing key or a secret, TYPE_MISMATCH for another type', async () => {
    const { client } = await flags()
    expect(await client.getBooleanDetails('nope', true)).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    })
    expect(await client.getBooleanDetails('newCheckout.deeper', true)).toMatchObject({
      errorCode: 'FLAG_NOT_FOUND',
    })
    const token = await client.getStringDetails('token', 'none')
    expect(token).toMatchObject({ value: 'none', errorCode: 'FLAG_NOT_FOUND' })
    expect(JSON.stringify(token)).not.toContain('sk-flag-secret')
    expect(await client.getBooleanDetails('banner', false)).toMatchObject({
      value: false,
      errorCode: 'TYPE_MISMATCH',
      errorMessage: expect.stringContaining('features.banner is a string'),
    })
    expect(await client.getObjectDetails('ratio', {})).toMatchObject({ errorCode: 'TYPE_MISMATCH' })
  })

  it('runs the SDK hooks with the flag key', async () => {
    const { client } = await flags()
    const seen: string[] = []
    client.addHooks({
      before: (ctx) => void seen.push(`before ${ctx.flagKey}`),
      after: (ctx, details) => void seen.push(`after ${ctx.flagKey}=${details.value}`),
      error: (ctx) => void seen.push(`error ${ctx.flagKey}`),
    })
    await client.getBooleanValue('newCheckout', true)
    await client.getBooleanValue('missing', true)
    expect(seen).toEqual(['before newCheckout', 'after newCheckout=false', 'before missing', 'error missing'])
  })

  it('emits ConfigurationChanged with the changed flags for a commit under the prefix only', async () => {
    const { store, client } = await flags()
    const changed = heard(client, ProviderEvents.ConfigurationChanged)
    await store.update({ features: { newCheckout: true, limits: { max: 5 } } })
    await store.set('pool.max', 20)
    await store.set('features.banner', 'bye')
    await new Promise((r) => setImmediate(r))
    expect(changed.map((d) => [d.flagsChanged, d.metadata])).toEqual([
      [['newCheckout', 'limits.max'], { revision: 2 }],
      [['banner'], { revision: 4 }],
    ])
    expect(await client.getBooleanValue('newCheckout', false)).toBe(true)
  })

  it('emits Error when an adapter the store needs fails, Stale for an optional one, Ready once none is failed', async () => {
    const sync = probeAdapter('sync')
    const extra = probeAdapter('extra', true)
    const { client } = await flags([sync, extra])
    const events: string[] = []
    for (const type of [ProviderEvents.Error, ProviderEvents.Stale, ProviderEvents.Ready])
      client.addHandler(type, (d) => void events.push(`${type} ${d?.message}`))
    // The SDK runs a handler of the state the provider is in (Ready) at once: not ours.
    await new Promise((r) => setImmediate(r))
    events.length = 0
    extra.ctx!.setState('failed', new Error('gone'))
    sync.ctx!.setState('failed', new Error('lost'))
    extra.ctx!.setState('running')
    sync.ctx!.setState('running')
    await new Promise((r) => setImmediate(r))
    expect(events).toEqual([
      'PROVIDER_STALE adapter "extra" failed: gone',
      'PROVIDER_ERROR adapter "sync" failed: lost',
      'PROVIDER_READY adapter "sync" recovered',
    ])
  })

  it('leaves the store open when the SDK closes the provider, and stops listening', async () => {
    const { store, client } = await flags()
    const changed = heard(client, ProviderEvents.ConfigurationChanged)
    const observers = store.status().observers
    await OpenFeature.clearProviders()
    expect(store.status().closed).toBe(false)
    expect(store.status().observers).toBe(observers - 2)
    expect((await store.set('features.newCheckout', true)).status).toBe('committed')
    expect(changed).toEqual([])
  })
})
