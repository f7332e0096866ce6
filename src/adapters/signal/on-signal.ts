import { constants } from 'node:os'
import { ConfigError, issue } from '../../errors.ts'
import type { Adapter, AdapterContext, AdapterHandle } from '../../types.ts'

/** Options of `onSignal`. */
export interface OnSignalOptions {
  /** The adapter's name in `status().adapters`. @default 'signal:<signal>' */
  readonly name?: string
}

/**
 * Reloads the store (`source: 'signal'`) when the process receives `signal`, the classic way to tell a daemon to
 * re-read its configuration (`kill -HUP <pid>`). Signals that arrive while its reload runs coalesce into at most one
 * more. Disposing removes the listener; once no listener is left, the signal's default action (for SIGHUP: exit)
 * applies again.
 *
 * @example
 * const store = await createConfigStore({ schema, sources, adapters: [onSignal('SIGHUP')] })
 */
export function onSignal<TConfig = unknown>(
  signal: NodeJS.Signals = 'SIGHUP',
  options: OnSignalOptions = {},
): Adapter<TConfig> {
  if (typeof signal !== 'string' || !(signal in constants.signals) || UNCATCHABLE.has(signal)) {
    throw new ConfigError(
      issue(
        'BAD_OPTIONS',
        'signal',
        `onSignal: cannot listen to ${String(signal)}; use e.g. 'SIGHUP' or 'SIGUSR2'`,
      ),
    )
  }
  const { name = `signal:${signal}` } = options
  return { name, start: (ctx) => listen(ctx, signal) }
}

// --- internal ---

const UNCATCHABLE = new Set(['SIGKILL', 'SIGSTOP'])

function listen(ctx: AdapterContext<unknown>, signal: NodeJS.Signals): AdapterHandle {
  let running: Promise<unknown> | undefined
  let again = false
  const reload = (): void => {
    running = ctx
      .reload({ source: 'signal', reason: `received ${signal}` })
      .catch((error: unknown) => ctx.logger.error(`reload on ${signal} failed: ${String(error)}`))
      .finally(() => {
        running = undefined
        if (again && !ctx.signal.aborted) {
          again = false
          reload()
        }
      })
  }
  const onSignalReceived = (): void => {
    if (running) again = true
    else reload()
  }
  process.on(signal, onSignalReceived)
  return {
    async dispose() {
      process.off(signal, onSignalReceived)
      again = false
      await running
    },
  }
}
