import { createActor } from 'xstate'
import type { Committed, TransactionEffects, TransactionEvent } from './transaction.ts'
import { createTransactionMachine } from './transaction-machine.ts'

/** What the transactor needs of the running machine. */
export interface TransactionActor {
  send(event: TransactionEvent): void
  stop(): void
}

/**
 * The transaction machine, started on `live`. Its own module, imported on a store's first transaction: xstate and
 * the machine were ≈ 35 ms of a cold start here (bench/README.md, measure 8), which a store that only reads never
 * needs.
 */
export function startTransactionActor<TConfig>(
  live: Committed<TConfig>,
  effects: TransactionEffects<TConfig>,
  inspect: ((event: unknown) => void) | undefined,
): TransactionActor {
  const actor = createActor(createTransactionMachine(live, effects), inspect ? { inspect } : {})
  actor.start()
  return actor
}
