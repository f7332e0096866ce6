import { issue } from '../errors.ts'
import { INHERIT, writeOverride } from '../layer-overrides.ts'
import { type LayerState, mergeLayerState } from '../layers.ts'
import { type Probation, withoutProbation } from '../probation.ts'
import { cloneData } from '../tree/clone.ts'
import { deepEqual } from '../tree/equal.ts'
import { deepFreeze } from '../tree/freeze.ts'
import { assocIn } from '../tree/patch.ts'
import { getAt, splitPath } from '../tree/paths.ts'
import { finish, overlay, type PrepareEnv, rejected } from './candidate.ts'
import type { Committed, Intent, Txn, Validated } from './transaction.ts'

/** The store's probation policy: changes from `sources` go on probation for `forMs`. */
export interface ProbationPolicy {
  readonly forMs: number
  readonly sources: readonly string[]
}

/**
 * A change that goes on probation (its write asked, or its source is one the policy names) takes its record into
 * the layer state: what it changed, with real values, and until when. Persisted with the overrides, so a restart can
 * still revert it. A change that changes nothing has nothing to revert and is not recorded.
 */
export function withProbation<TConfig>(
  result: Validated<TConfig>,
  live: Committed<TConfig>,
  txn: Txn,
  policy: ProbationPolicy | undefined,
  now: number,
): Validated<TConfig> {
  if (result.kind !== 'ready' || result.prepared.changes.length === 0) return result
  const forMs = probationOf(txn, policy)
  if (forMs === undefined) return result
  const { prepared } = result
  const revision = live.revision + 1
  const { source, actor } = txn.meta
  const record: Probation = {
    revision,
    until: now + forMs,
    source,
    ...(actor === undefined ? {} : { actor }),
    changes: prepared.changes,
  }
  const probation = Object.freeze({ ...prepared.layers.probation, [revision]: record })
  return {
    kind: 'ready',
    prepared: { ...prepared, layers: { ...prepared.layers, probation }, persist: true },
  }
}

/**
 * Ends the probation of a revision. Confirming drops its record (a commit with no changes). Reverting puts each path
 * it changed back to its previous value where the live config still holds its value (a later change of a path wins),
 * through the overrides: where the layers below give the previous value the override is removed, elsewhere (a file's
 * change, say) an override holds it; history names the revision as `rollbackOf`.
 */
export function fromProbationEnd<TConfig>(
  env: PrepareEnv<TConfig>,
  live: Committed<TConfig>,
  intent: Extract<Intent, { kind: 'probation' }>,
): Validated<TConfig> {
  const record = live.layers.probation[String(intent.revision)]
  if (!record) return rejected([issue('NOT_FOUND', '', `revision ${intent.revision} is not on probation`)])
  const probation = withoutProbation(live.layers.probation, intent.revision)
  if (intent.end === 'confirm') return ended(live, { ...live.layers, probation })
  let candidate = live.config
  for (const c of record.changes) {
    const segments = splitPath(c.path)
    if (deepEqual(getAt(live.config, segments), c.to))
      candidate = assocIn(candidate, segments, cloneData(c.from))
  }
  const result = finish(env, live, candidate, 'reject', (changes, config) => ({
    ...restored(live.layers, changes, config),
    probation,
  }))
  if (result.kind === 'unchanged') return ended(live, { ...live.layers, probation }, intent.revision)
  return result.kind === 'ready'
    ? { kind: 'ready', prepared: { ...result.prepared, rollbackOf: intent.revision } }
    : result
}

// --- internal ---

function probationOf(txn: Txn, policy: ProbationPolicy | undefined): number | undefined {
  const { intent } = txn
  if ((intent.kind === 'update' || intent.kind === 'set') && intent.probation !== undefined)
    return intent.probation
  // An end of a probation and an expiry are the store undoing changes: never on probation themselves.
  if (intent.kind === 'probation' || (intent.kind === 'reset' && intent.expired)) return undefined
  return policy?.sources.includes(txn.meta.source) ? policy.forMs : undefined
}

/** The overrides after a revert: written like any runtime change, then dropped wherever the layers below agree. */
function restored(layers: LayerState, changes: Parameters<typeof overlay>[1], config: unknown): LayerState {
  const written = overlay(layers, changes, config)
  let { overrides } = written
  for (const c of changes) {
    const segments = splitPath(c.path)
    const inherited = writeOverride(layers, overrides, segments, INHERIT)
    if (deepEqual(getAt(mergeLayerState({ ...written, overrides: inherited }), segments), c.to))
      overrides = inherited
  }
  return overrides === written.overrides ? written : { ...written, overrides: deepFreeze(overrides) }
}

/** A commit that changes no value, only the records (a confirm, or a revert whose values were all replaced since). */
function ended<TConfig>(
  live: Committed<TConfig>,
  layers: LayerState,
  rollbackOf?: number,
): Validated<TConfig> {
  const { config, pendingRestart } = live
  return {
    kind: 'ready',
    prepared: {
      config,
      layers,
      changes: [],
      pendingRestart,
      persist: true,
      ...(rollbackOf === undefined ? {} : { rollbackOf }),
    },
  }
}
