import type { UpdateResult } from '../types.ts'
import type { TransactionEvent } from './transaction.ts'
import type { TransactionActor } from './transaction-actor.ts'

/**
 * The machine, loaded (with xstate) on the first event: a store that only reads never pays for it. Events sent while
 * it loads are kept in order and handed over before any later one (a `then` per event could let a later event, sent
 * once the machine was there, overtake them). Should it fail to load (a broken install), the waiters of every event
 * get `MISSING_DEPENDENCY` rather than a promise that never settles.
 */
export function lazyActor(start: () => Promise<TransactionActor>, failed: (error: unknown) => UpdateResult) {
  let actor: TransactionActor | undefined
  let loading: Promise<void> | undefined
  let broken: { readonly error: unknown } | undefined
  const waiting: TransactionEvent[] = []
  const refuse = (event: TransactionEvent, error: unknown) => {
    const result = failed(error)
    for (const waiter of waitersOf(event)) waiter(result)
  }
  const load = () => {
    loading ??= start().then(
      (started) => {
        // `for...of` also sends what the machine's own work sends meanwhile, after what came before it.
        for (const event of waiting) started.send(event)
        waiting.length = 0
        actor = started
      },
      (error: unknown) => {
        broken = { error }
        for (const event of waiting.splice(0)) refuse(event, error)
      },
    )
  }
  return {
    load,
    send(event: TransactionEvent): void {
      if (actor) actor.send(event)
      else if (broken) refuse(event, broken.error)
      else {
        waiting.push(event)
        load()
      }
    },
    /** Stops the machine once it has run what was sent to it; nothing to do when it never loaded. */
    async stop(): Promise<void> {
      await loading
      actor?.stop()
    },
  }
}

// --- internal ---

function waitersOf(event: TransactionEvent): readonly ((result: UpdateResult) => void)[] {
  if ('txns' in event) return event.txns.flatMap((t) => t.waiters)
  if ('request' in event) return event.request.waiters
  return []
}
