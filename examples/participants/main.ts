// Live components take part in each change: they apply it, veto it, or run out of time, and the store rolls back.
// Run: node --conditions=@hotconf/source --import tsx examples/participants/main.ts
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { createConfigStore } from 'hotconf'
import { z } from 'zod'

const DATABASE_MAX_CONNECTIONS = 50

/** A pretend connection pool: resizing opens or closes connections, and the database caps their number. */
class ConnectionPool {
  size: number
  constructor(size: number) {
    this.size = size
  }
  async resize(size: number): Promise<void> {
    if (size > DATABASE_MAX_CONNECTIONS) {
      throw new Error(`the database allows only ${DATABASE_MAX_CONNECTIONS} connections, not ${size}`)
    }
    await sleep(5)
    console.log(`  pool: ${this.size} → ${size} connections`)
    this.size = size
  }
}

/** Lets at most `limit` requests in at once: sized to the pool, so requests never wait for a connection. */
class Admission {
  limit: number
  constructor(limit: number) {
    this.limit = limit
  }
  setLimit(limit: number, why: string): void {
    console.log(`  admission: ${this.limit} → ${limit} concurrent requests (${why})`)
    this.limit = limit
  }
}

const schema = z.object({
  pool: z.object({ max: z.number().int().min(1).default(10) }),
  cache: z.object({ ttlSeconds: z.number().int().min(0).default(60) }),
})

await using store = await createConfigStore({ schema })
const pool = new ConnectionPool(store.current.pool.max)
const admission = new Admission(store.current.pool.max)
const compensations: { from: number; to: number }[] = []

// Registration order is call order: admission accepts first, so a veto from the pool has something to undo.
store.participate(
  function admissionLimit(next, prev, txn) {
    if (txn.compensating) compensations.push({ from: prev.pool.max, to: next.pool.max })
    admission.setLimit(next.pool.max, txn.compensating ? 'compensating' : 'applying')
  },
  { paths: ['pool.max'] },
)
store.participate(
  async function connectionPool(next) {
    await pool.resize(next.pool.max)
  },
  { paths: ['pool.max'] },
)
// Flushing the cache takes longer than the 50 ms it is given; the signal says when to give up.
store.participate(
  async function cacheFlush(_next, _prev, txn) {
    await sleep(1_000, undefined, { signal: txn.signal })
  },
  { paths: ['cache'], timeoutMs: 50 },
)

console.log('— pool.max 10 → 40: both participants accept, the change commits')
const grown = await store.set('pool.max', 40, { actor: 'ops@example.com', reason: 'more traffic' })
console.log('result:', grown.status)
assert.equal(grown.status, 'committed')
assert.equal(pool.size, 40)
assert.equal(admission.limit, 40)

console.log('\n— pool.max 40 → 80: the pool vetoes, admission is called back with (prev, next)')
const before = store.current
const refused = await store.set('pool.max', 80, { actor: 'ops@example.com', reason: 'even more traffic' })
console.log('result:', refused.status, refused.status === 'rolledBack' ? refused.errors : '')
assert.equal(refused.status, 'rolledBack')
assert.equal(refused.errors[0]?.code, 'PARTICIPANT_FAILED')
assert.equal(store.current, before, 'a rolled back change leaves the committed config as it was')
assert.equal(store.current.pool.max, 40)
assert.equal(pool.size, 40)
assert.equal(admission.limit, 40)
assert.deepEqual(compensations, [{ from: 80, to: 40 }])

console.log('\n— cache.ttlSeconds 60 → 300: the cache does not answer within 50 ms')
const slow = await store.set('cache.ttlSeconds', 300, { reason: 'fewer cache misses' })
console.log('result:', slow.status, slow.status === 'rolledBack' ? slow.errors : '')
assert.equal(slow.status, 'rolledBack')
assert.equal(slow.errors[0]?.code, 'PARTICIPANT_TIMEOUT')
assert.equal(store.current.cache.ttlSeconds, 60)

// Rolled back changes never reach history; the outcome log keeps them (newest first, reversed here).
console.log('\nrevision', store.revision, '— outcomes:')
for (const e of store.events().toReversed()) {
  console.log(`  ${e.status} (${e.reason}) ${e.errors[0]?.code ?? ''}`)
}
