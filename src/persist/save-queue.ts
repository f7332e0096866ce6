import type { OverridesBackend, PersistedOverrides } from '../types.ts'

/** What became of one save: stored (with the backend's version, if it has one), failed, or out of time. */
export type SaveOutcome =
  | { readonly ok: true; readonly version?: string }
  | { readonly ok: false; readonly error: unknown; readonly timedOut: boolean }

/** Told when a save that ran out of time was followed by a save of the live overrides (or that one failed). */
export interface SaveQueueHooks {
  onRepaired(): void
  onRepairFailed(error: unknown): void
}

/**
 * Saves to an overrides backend one at a time, each within `timeoutMs`. A save that runs out of time fails its
 * transaction, but a write that hangs (a stalled fsync, a slow etcd) may still land later and put a rolled-back
 * change on disk. So once it settles, the live overrides (`live()`, read then, not now) are saved again, before any
 * later save: the disk ends where memory is. A save whose transaction gave up while it waited for its turn is never
 * started.
 */
export class SaveQueue {
  readonly #backend: OverridesBackend
  readonly #timeoutMs: number
  readonly #live: () => PersistedOverrides
  readonly #hooks: SaveQueueHooks
  /** Settles when the last queued save (or repair) has; never rejects. */
  #tail: Promise<void> = Promise.resolve()

  constructor(
    backend: OverridesBackend,
    timeoutMs: number,
    live: () => PersistedOverrides,
    hooks: SaveQueueHooks,
  ) {
    this.#backend = backend
    this.#timeoutMs = timeoutMs
    this.#live = live
    this.#hooks = hooks
  }

  async save(doc: PersistedOverrides): Promise<SaveOutcome> {
    // An object, not a local: the queue's callback moves it on while this function awaits.
    const job: { state: 'waiting' | 'running' | 'abandoned' } = { state: 'waiting' }
    const run = this.#tail.then(() => {
      if (job.state === 'abandoned') return undefined
      job.state = 'running'
      return this.#backend.save(doc)
    })
    this.#tail = run.then(ignore, ignore)
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), this.#timeoutMs)
    })
    try {
      const saved = await Promise.race([run, expired])
      if (saved !== 'expired')
        return saved?.version === undefined ? { ok: true } : { ok: true, version: saved.version }
      if (job.state === 'running') this.#repairAfter()
      job.state = 'abandoned'
      return {
        ok: false,
        error: new Error(`the backend did not finish within ${this.#timeoutMs} ms`),
        timedOut: true,
      }
    } catch (error) {
      return { ok: false, error, timedOut: false }
    } finally {
      clearTimeout(timer)
    }
  }

  /** Settles when every queued save has, or after `timeoutMs` if one hangs: `close()` must not hang with it. */
  async drain(): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([this.#tail, new Promise((resolve) => (timer = setTimeout(resolve, this.#timeoutMs)))])
    clearTimeout(timer)
  }

  // --- internal ---

  #repairAfter(): void {
    this.#tail = this.#tail.then(async () => {
      try {
        await this.#backend.save(this.#live())
        this.#hooks.onRepaired()
      } catch (error) {
        this.#hooks.onRepairFailed(error)
      }
    })
  }
}

function ignore(): void {}
