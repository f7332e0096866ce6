import type { Adapter, AdapterContext } from '../../types.ts'

/**
 * Reloads every source when the process receives a signal (SIGHUP by default), as daemons do. A burst of signals
 * while a reload is running coalesces into at most one more. Disposing removes the listener.
 * @example createConfigStore({ schema, sources, adapters: [onSignal('SIGHUP')] })
 */
export function onSignal(signal: NodeJS.Signals = 'SIGHUP'): Adapter {
  return {
    name: `signal:${signal}`,
    start(ctx: AdapterContext) {
      let running: Promise<unknown> | undefined
      let again = false
      const reload = (): void => {
        if (running) {
          again = true
          return
        }
        running = ctx.reload({ source: 'signal', reason: `received ${signal}` }).finally(() => {
          running = undefined
          if (again) {
            again = false
            reload()
          }
        })
      }
      const listener = () => reload()
      process.on(signal, listener)
      return {
        async dispose() {
          process.off(signal, listener)
          await running
        },
      }
    },
  }
}
