import { readFile } from 'node:fs/promises'
import { contentHash } from '../../adapter-kit.ts'
import type { ConfigStore } from '../../types.ts'

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
 * The hash of `file` when its content is exactly what `store` wrote when it committed `revision` (the overrides
 * backend reported that content hash as the commit's `persistedVersion`); otherwise `undefined`. By content, not by
 * revision: another process sharing the file may write the same revision, and a save merged with another writer's
 * changes reports no hash, so the watcher reloads it.
 */
export async function ownWriteHash(
  store: ConfigStore<unknown>,
  file: string,
  revision: number,
): Promise<string | undefined> {
  const written = store.history().find((entry) => entry.revision === revision)?.persistedVersion
  if (written === undefined) return undefined
  const hash = await readFile(file).then(contentHash, () => undefined)
  return hash === written ? hash : undefined
}

// --- internal ---

const SETTLED = new Set(['committed', 'unchanged', 'rejected', 'rolledBack'])
