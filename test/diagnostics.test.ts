import { tracingChannel } from 'node:diagnostics_channel'
import { afterEach, describe, expect, it } from 'vitest'
import { createConfigStore, TRANSACTION_CHANNEL, type TransactionTrace } from '../src/index.ts'
import { appSchema } from './fixtures/schemas.ts'

const channel = tracingChannel<TransactionTrace, TransactionTrace>(TRANSACTION_CHANNEL)
type Kind = 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error'

/** Subscribes to every message of the channel; each record keeps a copy of the context as it was then. */
function listen() {
  const seen: { kind: Kind; trace: TransactionTrace; copy: TransactionTrace }[] = []
  const on = (kind: Kind) => (message: unknown) => {
    const trace = message as TransactionTrace
    seen.push({ kind, trace, copy: { ...trace } })
  }
  const handlers = {
    start: on('start'),
    end: on('end'),
    asyncStart: on('asyncStart'),
    asyncEnd: on('asyncEnd'),
    error: on('error'),
  }
  channel.subscribe(handlers)
  cleanups.push(() => channel.unsubscribe(handlers))
  return seen
}

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

describe('the hotconf:transaction TracingChannel', () => {
  it('publishes start, end, asyncStart and asyncEnd with one context per committed transaction', async () => {
    const seen = listen()
    const store = await createConfigStore({ schema: appSchema, environment: 'test' })
    await store.set('pool.max', 20, { actor: 'ops', reason: 'spike' })
    await store.close()

    expect(seen.map((s) => s.kind)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd'])
    const [first] = seen
    expect(seen.every((s) => s.trace === first!.trace)).toBe(true)
    expect(first!.copy).toMatchObject({
      environment: 'test',
      intent: 'set',
      source: 'api',
      actor: 'ops',
      reason: 'spike',
    })
    expect(first!.copy.result).toBeUndefined()
    expect(first!.trace.result).toMatchObject({
      status: 'committed',
      revision: 2,
      changes: [{ path: 'pool.max', from: 10, to: 20 }],
    })
    expect(first!.trace.phase).toBe('committed')
    expect(first!.trace.error).toBeUndefined()
  })

  it('publishes error with the issues, and no secret value, before a refused transaction settles', async () => {
    const seen = listen()
    const store = await createConfigStore({
      schema: appSchema,
      initial: { apiKey: 'sk-hidden-123' },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    })
    await store.update({ pool: { min: 50 }, apiKey: 'sk-other-456' })
    await store.close()

    expect(seen.map((s) => s.kind)).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd'])
    const { trace } = seen[2]!
    expect(trace.result?.status).toBe('rejected')
    expect(trace.error?.code).toBe('INVALID')
    expect(trace.error?.issues.map((i) => i.path)).toContain('pool')
    expect(JSON.stringify(trace)).not.toMatch(/sk-hidden|sk-other/)
  })

  it('publishes nothing and keeps no context while nobody subscribes', async () => {
    const store = await createConfigStore({ schema: appSchema })
    await store.set('pool.max', 20)
    // A subscriber that arrives later sees whole transactions only, from the next one on.
    const seen = listen()
    await store.set('pool.max', 21)
    await store.close()
    expect(seen.map((s) => s.trace.result?.revision)).toEqual([3, 3, 3, 3])
  })
})
