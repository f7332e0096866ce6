import type { Adapter, AdapterContext, AdapterHandle } from '../types.ts'
import type { ConnectionRef } from './shared-ref.ts'

/** A live subscription to a shared backend's changes (an etcd watch, a PostgreSQL `LISTEN`). @internal */
export interface WatchSession {
  /** Stops listening; must not hang when the backend is gone. */
  close(): Promise<void>
}

/** How `startReconnectingWatch` reaches one backend. @internal */
export interface WatchPlan {
  /** The `source` of the reloads, and the backend's name in their reasons (`'etcd is back: catching up'`). */
  readonly source: string
  /** First reconnect delay; doubled after each failed attempt. */
  readonly initialMs: number
  /** Cap of the reconnect delay. */
  readonly maxMs: number
  /**
   * Opens a session and resolves once the backend confirmed it; rejects (after releasing what it opened) when it
   * cannot. Afterwards the session calls `changed(reason)` on every change and `lost(error)` once when it breaks.
   */
  open(changed: (reason: string) => void, lost: (error: unknown) => void): Promise<WatchSession>
}

/**
 * An adapter that keeps an instance in step with a shared backend over `ref`'s connection (released on dispose):
 * see `startReconnectingWatch`. Its start fails only when the driver is missing (getting the reference loads it,
 * without connecting). @internal
 */
export function reconnectingWatch<TConfig>(
  name: string,
  ref: ConnectionRef<unknown>,
  plan: WatchPlan,
): Adapter<TConfig> {
  return {
    name,
    async start(ctx) {
      await ref.get()
      const handle = startReconnectingWatch(ctx, plan)
      return {
        async dispose() {
          await handle.dispose()
          await ref.close()
        },
      }
    },
  }
}

// --- internal ---

/**
 * Keeps an instance in step: reloads the store on every change, bursts coalesced (while a
 * reload runs, further changes queue exactly one more). When the session breaks, the adapter reports `failed`,
 * retries with capped exponential backoff and jitter, and once it is back reports `running` and reloads once to
 * catch up on whatever it missed while down (a change notice lost in an outage is not a change lost). The first
 * session reloads too, so a layer the backend could not give at start arrives then.
 */
function startReconnectingWatch<TConfig>(ctx: AdapterContext<TConfig>, plan: WatchPlan): AdapterHandle {
  const { source, initialMs, maxMs } = plan
  let session: WatchSession | undefined
  // Each connection attempt gets a generation; notices from an older one are ignored.
  let generation = 0
  let failures = 0
  let failed = false
  let timer: NodeJS.Timeout | undefined
  let reloading = false
  let queued: string | undefined

  const reload = (reason: string): void => {
    if (ctx.signal.aborted) return
    if (reloading) {
      queued = reason
      return
    }
    reloading = true
    ctx
      .reload({ source, reason })
      .catch((error: unknown) => ctx.logger.error('reload failed', { error: String(error) }))
      .finally(() => {
        reloading = false
        const next = queued
        queued = undefined
        if (next !== undefined) reload(next)
      })
  }

  const fail = (attempt: number, error: unknown): void => {
    if (attempt !== generation || ctx.signal.aborted) return
    generation++
    void session?.close()
    session = undefined
    if (!failed) ctx.setState('failed', error)
    failed = true
    const delay = Math.min(maxMs, initialMs * 2 ** failures++)
    timer = setTimeout(connect, delay / 2 + (Math.random() * delay) / 2)
  }

  async function connect(): Promise<void> {
    timer = undefined
    if (ctx.signal.aborted) return
    const attempt = ++generation
    let opened: WatchSession
    try {
      opened = await plan.open(
        (reason) => {
          if (attempt === generation) reload(reason)
        },
        (error) => fail(attempt, error),
      )
    } catch (error) {
      fail(attempt, error)
      return
    }
    // Disposed (or failed) while confirming: nothing else will close this session.
    if (attempt !== generation) {
      await opened.close()
      return
    }
    session = opened
    failures = 0
    if (failed) ctx.setState('running')
    reload(failed ? `${source} is back: catching up` : `${source} watch started: catching up`)
    failed = false
  }

  // Deferred so the store's own `running` for a started adapter comes first, and a quick failure is not overwritten.
  setImmediate(connect)

  return {
    async dispose() {
      generation++
      clearTimeout(timer)
      await session?.close()
      session = undefined
    },
  }
}
