import { describe, expect, it } from 'vitest'
import { lazyActor } from '../../src/machines/lazy-actor.ts'
import type { TransactionEvent } from '../../src/machines/transaction.ts'
import type { TransactionActor } from '../../src/machines/transaction-actor.ts'
import type { UpdateResult } from '../../src/types.ts'

/** A config event whose one transaction is waited for by `waiter`, named by `id` for the order checks. */
const event = (id: number, waiter: (r: UpdateResult) => void = () => {}) =>
  ({ type: 'config.set', txns: [{ id, waiters: [waiter] }] }) as unknown as TransactionEvent
const idOf = (e: TransactionEvent) => ('txns' in e ? e.txns[0]!.id : -1)
const refused = (error: unknown): UpdateResult => ({
  status: 'rejected',
  errors: [{ code: 'MISSING_DEPENDENCY', path: '', message: String(error) }],
  revision: 1,
})

/** A machine that records what it was sent; `onSend` runs inside `send`, as the machine's own work would. */
function recorder(onSend?: (id: number) => void) {
  const seen: number[] = []
  let stops = 0
  const actor: TransactionActor = {
    send(e) {
      seen.push(idOf(e))
      onSend?.(idOf(e))
    },
    stop() {
      stops++
    },
  }
  return { actor, seen, stops: () => stops }
}

/** `start` for `lazyActor` that settles when the test says so. */
function deferred() {
  let settle!: { resolve: (a: TransactionActor) => void; reject: (e: unknown) => void }
  let starts = 0
  const start = () => {
    starts++
    return new Promise<TransactionActor>((resolve, reject) => {
      settle = { resolve, reject }
    })
  }
  return { start, settle: () => settle, starts: () => starts }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

describe('lazyActor: the transaction machine loaded on the first event', () => {
  it('starts nothing until an event (or load) asks, and starts once', async () => {
    const d = deferred()
    const lazy = lazyActor(d.start, refused)
    await turn()
    expect(d.starts()).toBe(0)
    lazy.send(event(1))
    lazy.send(event(2))
    lazy.load()
    expect(d.starts()).toBe(1)
  })

  it('hands over the events in the order they were sent, whatever microtask a later one is sent in', async () => {
    // A later event sent in each of the first 30 microtasks after the machine arrives: none overtakes one that waited.
    for (let depth = 0; depth < 30; depth++) {
      const d = deferred()
      const lazy = lazyActor(d.start, refused)
      const r = recorder()
      lazy.send(event(1))
      lazy.send(event(2))
      d.settle().resolve(r.actor)
      let chain = Promise.resolve()
      for (let i = 0; i < depth; i++) chain = chain.then(() => {})
      void chain.then(() => lazy.send(event(3)))
      await turn()
      lazy.send(event(4))
      expect(r.seen, `later event sent ${depth} microtasks in`).toEqual([1, 2, 3, 4])
    }
  })

  it('sends what the machine sends while it takes the waiting events after them, in order', async () => {
    const d = deferred()
    const lazy = lazyActor(d.start, refused)
    const r = recorder((id) => {
      if (id === 1) lazy.send(event(10))
    })
    lazy.send(event(1))
    lazy.send(event(2))
    d.settle().resolve(r.actor)
    await turn()
    lazy.send(event(3))
    expect(r.seen).toEqual([1, 2, 10, 3])
  })

  it('stops the machine after it took what was sent, and does not start one to stop it', async () => {
    const idle = deferred()
    await lazyActor(idle.start, refused).stop()
    expect(idle.starts()).toBe(0)

    const d = deferred()
    const lazy = lazyActor(d.start, refused)
    const r = recorder()
    lazy.send(event(1))
    const stopped = lazy.stop()
    d.settle().resolve(r.actor)
    await stopped
    expect(r.seen).toEqual([1])
    expect(r.stops()).toBe(1)
  })

  it('answers MISSING_DEPENDENCY to every waiter when the machine does not load, then and later, and still stops', async () => {
    const d = deferred()
    const lazy = lazyActor(d.start, refused)
    const results: UpdateResult[] = []
    lazy.send(event(1, (res) => results.push(res)))
    lazy.send({
      type: 'reload.request',
      request: { waiters: [(res: UpdateResult) => results.push(res)] },
    } as never)
    d.settle().reject(new Error('Cannot find package xstate'))
    await turn()
    lazy.send(event(2, (res) => results.push(res)))
    expect(results).toHaveLength(3)
    for (const res of results)
      expect(res).toMatchObject({ status: 'rejected', errors: [{ code: 'MISSING_DEPENDENCY' }] })
    expect(results[0]).toMatchObject({ errors: [{ message: 'Error: Cannot find package xstate' }] })
    await lazy.stop()
    expect(d.starts()).toBe(1)
  })
})
