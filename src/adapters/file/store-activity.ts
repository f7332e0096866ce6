import { readFile } from 'node:fs/promises'
import type { ConfigStore } from '../../types.ts'
import { hashOf } from './read-state.ts'

/** What the watcher needs to know about transactions it did not start. */
export interface StoreActivity {
  /** Resolves true when no such transaction is in flight, or false after `maxMs` of waiting for that. */
  idle(maxMs: number): Promise<boolean>
  readonly busy: boolean
  dispose(): void
}

/**
 * Follows the store's transactions, except those from `ownSource`. A committed one may have written the overrides
 * file: `onCommit` gets its revision so the watcher can recognise that write as the store's own (see `ownWriteHash`).
 */
export function followStore(
  store: ConfigStore<unknown>,
  ownSource: string,
  onCommit: (revision: number) => void,
): StoreActivity {
  const inFlight = new Set<number>()
  let waiters: ((idle: boolean) => void)[] = []
  const release = () => {
    for (const waiter of waiters.splice(0)) waiter(true)
  }
  const subscription = store.events$.subscribe((event) => {
    if (event.type !== 'transaction' || event.source === ownSource) return
    if (event.phase === 'started') inFlight.add(event.id)
    else if (SETTLED.has(event.phase)) {
      inFlight.delete(event.id)
      if (event.phase === 'committed') onCommit(event.revision)
      if (inFlight.size === 0) release()
    }
  })
  return {
    get busy() {
      return inFlight.size > 0
    },
    idle(maxMs) {
      if (inFlight.size === 0) return Promise.resolve(true)
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(done, maxMs, false).unref()
        function done(idle: boolean) {
          clearTimeout(timer)
          waiters = waiters.filter((w) => w !== done)
          resolve(idle)
        }
        waiters.push(done)
      })
    },
    dispose() {
      subscription.unsubscribe()
      release()
    },
  }
}

/**
 * The hash of `file` when it holds the persisted overrides document of `revision` (`{ overrides, revision, ... }`),
 * i.e. what the store itself wrote when it committed that revision; otherwise `undefined`.
 */
export async function ownWriteHash(file: string, revision: number): Promise<string | undefined> {
  let content: Buffer
  let doc: unknown
  try {
    content = await readFile(file)
    doc = JSON.parse(content.toString('utf8'))
  } catch {
    return undefined
  }
  const { overrides, revision: written } = (doc ?? {}) as Record<string, unknown>
  const isDoc = typeof doc === 'object' && typeof overrides === 'object' && overrides !== null
  return isDoc && written === revision ? hashOf(content) : undefined
}

// --- internal ---

const SETTLED = new Set(['committed', 'unchanged', 'rejected', 'rolledBack'])
