import { isMissingDependency } from '../adapter-kit.ts'
import { ConfigError, issue } from '../errors.ts'
import type { Adapter, BackendContext, ConfigSource, OverridesBackend, PersistedOverrides } from '../types.ts'

/** The three parts of one store on a shared backend (`etcdCluster`, `postgresCluster`), on one connection. */
export interface ClusterParts<TConfig = unknown> {
  /** The fleet-wide layer, written by operators; put it last in `sources`. */
  readonly source: ConfigSource
  /** The runtime overrides, shared by every instance of the service: `overrides: { backend }`. */
  readonly overrides: OverridesBackend
  /** Listens for changes of the layer and the overrides and reloads on each: `adapters: [adapter]`. */
  readonly adapter: Adapter<TConfig>
  /**
   * Closes the connection. The store closes it already when it closes (it goes once both the backend and the
   * adapter are closed); call this when the store was never created.
   */
  close(): Promise<void>
}

/**
 * The ids (etcd revisions, PostgreSQL transaction ids) of a store's own recent saves: the store holds those changes
 * already, so their echo from the backend needs no reload. @internal
 */
export function ownWrites(limit = 64): { saved(id: string): void; has(id: string): boolean } {
  const ids = new Set<string>()
  return {
    saved(id) {
      ids.add(id)
      if (ids.size > limit) ids.delete(ids.values().next().value!)
    },
    has: (id) => ids.has(id),
  }
}

/**
 * Runs tasks one after another: a backend's loads and saves take turns, since a load landing in the middle of a
 * save would leave what the backend remembers half old. A failed task does not stop the next. @internal
 */
export function takingTurns(): <T>(run: () => Promise<T>) => Promise<T> {
  let turn: Promise<unknown> = Promise.resolve()
  return (run) => {
    const result = turn.then(run)
    turn = result.catch(() => {})
    return result
  }
}

/**
 * What a shared overrides backend answers when it cannot read: a missing driver is rethrown (no retry cures it);
 * before the first successful read with `required`, a `ConfigError` `SOURCE_FAILED` fails store creation; otherwise
 * the outage is reported and the last overrides read (or none) keep serving. @internal
 */
export function unreadOverrides(
  error: unknown,
  ctx: BackendContext,
  at: {
    readonly message: string
    readonly source: string
    readonly loaded: boolean
    readonly required: boolean
    readonly last: PersistedOverrides | undefined
  },
): PersistedOverrides | undefined {
  if (isMissingDependency(error)) throw error
  if (!at.loaded && at.required) {
    throw new ConfigError(issue('SOURCE_FAILED', '', at.message, { source: at.source }), { cause: error })
  }
  ctx.report({
    code: 'SOURCE_FAILED',
    message: at.loaded ? `${at.message}; keeping the last overrides` : at.message,
  })
  return at.last
}
