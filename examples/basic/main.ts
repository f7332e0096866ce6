// The quick start: a schema, a live update, a refused one, select, history and rollback.

import { createConfigStore, restart, secret } from 'hotconf'
import { z } from 'zod'

const schema = z.object({
  server: z.object({ port: restart(z.number().int().min(1).max(65535)).default(8080) }),
  pool: z
    .object({ min: z.number().int().min(0).default(2), max: z.number().int().default(10) })
    .refine((p) => p.min <= p.max, { message: 'pool.min must be <= pool.max' }),
  apiKey: secret(z.string()).optional(),
})

await using store = await createConfigStore({ schema, initial: { pool: { max: 5 }, apiKey: 'k-123456' } })

store.select((c) => c.pool).subscribe((pool) => console.log(`pool is now ${pool.min}..${pool.max}`))
store.changes$.subscribe((set) => {
  const lines = set.changes.map((c) => `${c.path}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`)
  console.log(
    `revision ${set.revision} by ${set.actor ?? set.source} (${set.reason ?? 'no reason'}): ${lines.join(', ')}`,
  )
})

const grown = await store.update(
  (draft) => {
    draft.pool.max = 20
  },
  { actor: 'ops@example.com', reason: 'traffic spike' },
)
console.log('update:', grown.status)

const refused = await store.set('pool.min', 50, { actor: 'ops@example.com' })
console.log(
  'refused:',
  refused.status,
  refused.status === 'rejected' ? refused.errors.map((e) => e.message) : '',
)

const port = await store.set('server.port', 9090)
console.log('port change:', port.status, port.status === 'rejected' ? port.errors[0]?.code : '')

await store.set('apiKey', 'k-rotated-789', { reason: 'key rotation' })
console.log(
  'history:',
  store.history().map((h) => `r${h.revision} ${h.changes.map((c) => c.path).join(',')}`),
)

const back = await store.rollback(2, { actor: 'ops@example.com', reason: 'undo key rotation' })
console.log('rollback:', back.status, 'pool.max =', store.get('pool.max'), 'revision', store.revision)
