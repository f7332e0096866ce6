import { nextExpiries, stillExpiring } from '../expiries.ts'
import { getAt, splitPath } from '../tree/paths.ts'
import type { Committed, Intent, Validated } from './transaction.ts'

/**
 * The deadlines after a runtime write: a write drops those of the overrides it touched, and one with `expires`
 * sets its own on every path it changed. A reload takes the persisted ones with the overrides it read.
 */
export function withDeadlines<TConfig>(
  live: Committed<TConfig>,
  intent: Intent,
  result: Validated<TConfig>,
): Validated<TConfig> {
  if (result.kind === 'unchanged') return renewed(live, intent) ?? result
  if (result.kind !== 'ready' || intent.kind === 'reload') return result
  const { prepared } = result
  const written =
    intent.kind !== 'reset'
      ? prepared.changes.map((c) => c.path)
      : intent.expired
        ? stillExpiring(live.layers.expiries, intent.expired)
        : [intent.path ?? '']
  const expires = intent.kind === 'update' || intent.kind === 'set' ? intent.expires : undefined
  const expiries = nextExpiries(live.layers.expiries, written, live.revision + 1, expires)
  if (expiries === prepared.layers.expiries) return result
  return {
    kind: 'ready',
    prepared: { ...prepared, layers: { ...prepared.layers, expiries }, persist: true },
  }
}

// --- internal ---

/**
 * A `set` with a deadline of the value the override already holds changes no value, but renews (or adds) the
 * deadline: one more hour of debug logging is asked for this way.
 */
function renewed<TConfig>(live: Committed<TConfig>, intent: Intent): Validated<TConfig> | undefined {
  if (intent.kind !== 'set' || !intent.expires) return undefined
  if (getAt(live.layers.overrides, splitPath(intent.path)) === undefined) return undefined
  const expiries = nextExpiries(live.layers.expiries, [intent.path], live.revision + 1, intent.expires)
  const { config, pendingRestart } = live
  const layers = { ...live.layers, expiries }
  return { kind: 'ready', prepared: { config, layers, changes: [], pendingRestart, persist: true } }
}
