import { messageOf } from '../error-message.ts'
import { ConfigError, issue } from '../errors.ts'
import type {
  Adapter,
  AdapterContext,
  AdapterHandle,
  AdapterState,
  ConfigStore,
  FleetView,
  Logger,
} from '../types.ts'

/** What the host needs from the store: its public face and a place to report adapter states. */
export interface AdapterHostStore<TConfig> {
  readonly api: ConfigStore<TConfig>
  slot(name: string, optional: boolean): (state: AdapterState, error?: unknown) => void
  /** Hides the live secrets in a message that leaves the store (a start error may quote them). */
  scrub(text: string): string
}

/**
 * Starts adapters after the store is ready and disposes them, newest first, on close. An adapter that fails to
 * start (a port in use, a missing package) is a set-up error: the adapters already started are disposed and `start`
 * throws a `ConfigError` (the adapter's own, or `ADAPTER_FAILED`), so the store is not created. One marked
 * `optional` is reported as `failed` in `status().adapters` and logged instead. Failures after the start never take
 * the store down.
 */
export class AdapterHost<TConfig> {
  readonly #running: {
    name: string
    handle: AdapterHandle
    controller: AbortController
    setState: (s: AdapterState, e?: unknown) => void
  }[] = []

  constructor(
    private readonly store: AdapterHostStore<TConfig>,
    private readonly logger: Logger,
  ) {}

  async start(adapters: readonly Adapter<TConfig>[]): Promise<void> {
    for (const adapter of adapters) {
      const slot = this.store.slot(adapter.name, adapter.optional === true)
      let reported = false
      const setState = (state: AdapterState, error?: unknown) => {
        reported = true
        slot(state, error)
      }
      const controller = new AbortController()
      const api = this.store.api
      const ctx: AdapterContext<TConfig> = {
        store: api,
        reload: (meta) => api.reload({ source: adapter.name, ...meta }),
        update: (change, meta) => api.update(change, { source: adapter.name, ...meta }),
        signal: controller.signal,
        logger: prefixed(this.logger, adapter.name),
        setState,
      }
      try {
        const handle = await adapter.start(ctx)
        this.#running.push({ name: adapter.name, handle, controller, setState })
        // An adapter that already said how it is (e.g. `failed`: its server is down) keeps that state.
        if (!reported) slot('running')
      } catch (error) {
        controller.abort()
        setState('failed', error)
        const message = `adapter "${adapter.name}" failed to start: ${this.store.scrub(messageOf(error))}`
        if (!adapter.optional) {
          await this.dispose()
          throw error instanceof ConfigError
            ? error
            : new ConfigError(issue('ADAPTER_FAILED', '', message, { source: adapter.name }), {
                cause: error,
              })
        }
        this.logger.error(`${message} (optional: the store goes on without it)`)
      }
    }
  }

  /** The fleet view of the first running adapter that offers one; `NOT_FOUND` when none does. */
  fleet(): Promise<FleetView> {
    const offering = this.#running.find((r) => r.handle.fleet !== undefined)
    if (offering === undefined) {
      const message = 'no adapter of this store offers a fleet view (use etcdCluster or postgresCluster)'
      return Promise.reject(new ConfigError(issue('NOT_FOUND', '', message)))
    }
    return offering.handle.fleet!()
  }

  async dispose(): Promise<void> {
    for (const running of this.#running.reverse()) {
      running.controller.abort()
      try {
        await running.handle.dispose()
        running.setState('stopped')
      } catch (error) {
        running.setState('failed', error)
        this.logger.error(`adapter "${running.name}" failed to stop: ${messageOf(error)}`)
      }
    }
    this.#running.length = 0
  }
}

// --- internal ---

function prefixed(logger: Logger, name: string): Logger {
  return {
    debug: (msg, data) => logger.debug(`[${name}] ${msg}`, data),
    info: (msg, data) => logger.info(`[${name}] ${msg}`, data),
    warn: (msg, data) => logger.warn(`[${name}] ${msg}`, data),
    error: (msg, data) => logger.error(`[${name}] ${msg}`, data),
  }
}
