import type { Adapter, AdapterContext, FleetInstance, StoreEvent } from '../../types.ts'
import { configHash } from '../http/config-hash.ts'
import type { FleetPlan } from './fleet-options.ts'
import type { FleetStore } from './fleet-store.ts'
import { fleetView } from './fleet-view.ts'

/**
 * The cluster's adapter with fleet status: besides keeping the instance in step (`adapter`), it publishes the
 * instance's status to `fleet` after every transaction's outcome and on every heartbeat, takes it out on dispose,
 * and offers `fleet()` (what `store.fleet()` returns). A publish that fails (the backend is down: the watch reports
 * that) is retried on the next heartbeat; the record expires meanwhile, which is the truth. @internal
 */
export function withFleet<TConfig>(
  adapter: Adapter<TConfig>,
  fleet: FleetStore,
  plan: FleetPlan & { readonly timeoutMs: number },
  seen: { readonly current: string | undefined },
): Adapter<TConfig> {
  return {
    name: adapter.name,
    async start(ctx) {
      const inner = await adapter.start(ctx)
      const publisher = startPublisher(ctx, fleet, plan, seen)
      return {
        async dispose() {
          await publisher.stop()
          await inner.dispose()
        },
        async fleet() {
          const { records, version } = await fleet.read()
          return fleetView(fleet.name, records, version, new Date())
        },
      }
    },
  }
}

// --- internal ---

type LastReload = NonNullable<FleetInstance['lastReload']>

const OUTCOMES = new Set(['committed', 'unchanged', 'rejected', 'rolledBack'])

function startPublisher<TConfig>(
  ctx: AdapterContext<TConfig>,
  fleet: FleetStore,
  plan: FleetPlan & { readonly timeoutMs: number },
  seen: { readonly current: string | undefined },
): { stop(): Promise<void> } {
  const { store } = ctx
  let lastReload: LastReload | undefined
  // Publishes coalesce: while one runs, any number of requests queue exactly one more, with the newest status.
  let running: Promise<void> | undefined
  let again = false
  let stopped = false
  const publish = (): void => {
    if (stopped) return
    if (running !== undefined) {
      again = true
      return
    }
    running = fleet
      .publish(record(store, plan, seen.current, lastReload))
      .catch((error: unknown) => ctx.logger.debug(`fleet status not published: ${String(error)}`))
      .finally(() => {
        running = undefined
        if (again) {
          again = false
          publish()
        }
      })
  }
  const events = store.events$.subscribe((event: StoreEvent) => {
    if (event.type !== 'transaction' || !OUTCOMES.has(event.phase)) return
    if (event.intent === 'reload') lastReload = reloadOf(event)
    publish()
  })
  const timer = setInterval(publish, plan.heartbeatMs)
  timer.unref()
  publish()
  return {
    async stop() {
      stopped = true
      clearInterval(timer)
      events.unsubscribe()
      again = false
      // Best effort and bounded, so that closing the store never hangs on a backend that is gone: an instance that
      // cannot say goodbye drops out at its TTL.
      await within(
        plan.timeoutMs,
        (running ?? Promise.resolve()).then(() => fleet.remove(plan.id)),
      )
    },
  }
}

function within(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms)
  })
  return Promise.race([
    work.then(
      () => {},
      () => {},
    ),
    late,
  ]).finally(() => clearTimeout(timer))
}

function reloadOf(event: Extract<StoreEvent, { type: 'transaction' }>): LastReload {
  const reason = event.errors?.map((e) => (e.path === '' ? e.message : `${e.path}: ${e.message}`)).join('; ')
  return {
    status: event.phase as LastReload['status'],
    source: event.source,
    revision: event.revision,
    at: event.at.toISOString(),
    ...(reason ? { reason } : {}),
  }
}

function record(
  store: AdapterContext['store'],
  plan: FleetPlan,
  version: string | undefined,
  lastReload: LastReload | undefined,
): FleetInstance {
  const status = store.status()
  return {
    id: plan.id,
    host: plan.host,
    pid: process.pid,
    ...(plan.appVersion === undefined ? {} : { appVersion: plan.appVersion }),
    revision: status.revision,
    configHash: configHash(store),
    ...(version === undefined ? {} : { sharedVersion: version }),
    parked: status.parked,
    ...(lastReload === undefined ? {} : { lastReload }),
    pendingRestart: status.pendingRestart.map((p) => p.path),
    adapters: status.adapters.map((a) => ({ name: a.name, state: a.state })),
    heartbeatAt: new Date().toISOString(),
    ttlMs: plan.ttlMs,
  }
}
