import type { z } from 'zod'
import { messageOf } from '../error-message.ts'
import { issue } from '../errors.ts'
import { writeOverride } from '../layer-overrides.ts'
import type { LayerState } from '../layers.ts'
import { checkTree } from '../schema/check-tree.ts'
import type { Redactor } from '../schema/redactor.ts'
import { cloneData } from '../tree/clone.ts'
import { diffTrees } from '../tree/diff.ts'
import { deepFreeze } from '../tree/freeze.ts'
import { assocIn } from '../tree/patch.ts'
import { getAt, isPlainObject, overlaps, splitPath } from '../tree/paths.ts'
import { reconcile } from '../tree/reconcile.ts'
import { narrowScope, type Scope } from '../tree/scope.ts'
import type { Change, ConfigIssue, PendingRestart } from '../types.ts'
import type { Committed, Validated } from './transaction.ts'

/** Everything the validating step reads besides the live state. */
export interface PrepareEnv<TConfig> {
  readonly schema: z.ZodType
  readonly redactor: Redactor
  readonly restartPaths: readonly string[]
  /** Tells of overrides a reload parked (`INVALID`). */
  readonly report: (code: 'INVALID', message: string) => void
  readonly lookup: (target: number | string) => { config: TConfig; revision: number } | undefined
}

export const rejected = (errors: readonly ConfigIssue[]): Validated<never> => ({ kind: 'rejected', errors })

export const threw = (what: string, error: unknown) =>
  issue('INVALID', '', `${what} threw: ${messageOf(error)}`)

/**
 * Runtime changes go to the overrides layer: only the changed leaves. A deletion is written at the outermost path
 * the new config lacks (deleting `a` deletes the object, not each of its leaves), as a tombstone when a lower layer
 * sets it.
 */
export function overlay(layers: LayerState, changes: readonly Change[], config: unknown): LayerState {
  let overrides = layers.overrides
  for (const c of changes) {
    let segments = splitPath(c.path)
    if (c.to === undefined) {
      let i = 1
      while (i < segments.length && getAt(config, segments.slice(0, i)) !== undefined) i++
      segments = segments.slice(0, i)
    }
    overrides = writeOverride(layers, overrides, segments, deepFreeze(cloneData(c.to)))
  }
  return overrides === layers.overrides ? layers : { ...layers, overrides: deepFreeze(overrides) }
}

/**
 * The end of every validating step: check the candidate against the schema (incrementally, from the live config),
 * keep live identities, diff, apply the restart policy, and say whether it is ready, unchanged or rejected. A
 * `scope` says where the candidate may differ from the live config (a write that knows its paths): each walk then
 * visits those keys only.
 */
export function finish<TConfig>(
  env: PrepareEnv<TConfig>,
  live: Committed<TConfig>,
  candidate: TConfig,
  restartPolicy: 'reject' | 'defer',
  nextLayers: (changes: readonly Change[], config: TConfig) => LayerState,
  extra: { readonly persistedVersion?: string } = {},
  scope?: Scope,
): Validated<TConfig> {
  const issues: ConfigIssue[] = []
  let parsed: unknown
  // Where an object appeared or went away, it is walked whole.
  scope = narrowScope(scope, live.config, candidate)
  try {
    parsed = checkTree(env.schema, candidate, live.config, issues, '', scope)
  } catch (error) {
    // The candidate is known only here: a refinement's message may quote a secret in it (`JSON.parse` of one).
    return rejected(env.redactor.issues([threw('validation', error)], candidate))
  }
  // The candidate and what the schema made of it: a transform may have turned a secret into new text.
  if (issues.length > 0) return rejected(env.redactor.issues(issues, candidate, parsed))
  // Defaults and coercions rebuild objects: keep live identities wherever the parsed value is equal.
  let config = reconcile(live.config, parsed, scope) as TConfig
  let changes = diffTrees(live.config, config, '', scope)
  // A reload recomputes what waits for a restart; a runtime change leaves that list alone.
  let pendingRestart: readonly PendingRestart[] = restartPolicy === 'defer' ? [] : live.pendingRestart
  if (env.restartPaths.length > 0) {
    const held = changes.filter((c) => env.restartPaths.some((r) => overlapsPattern(c.path, r)))
    if (held.length > 0 && restartPolicy === 'reject') {
      return rejected(
        held.map((c) => issue('RESTART_REQUIRED', c.path, `${c.path} cannot change while the process runs`)),
      )
    }
    if (held.length > 0) {
      // The rest of a reload commits; restart keys keep their live value until the process restarts.
      for (const c of held) config = assocIn(config, splitPath(c.path), getAt(live.config, splitPath(c.path)))
      pendingRestart = held.map((c) => ({ path: c.path, live: c.from, next: c.to }))
      changes = changes.filter((c) => !held.includes(c))
    }
  }
  const layers = nextLayers(changes, config)
  if (
    changes.length === 0 &&
    layers.overrides === live.layers.overrides &&
    layers.parked === live.layers.parked &&
    sameRestarts(pendingRestart, live.pendingRestart)
  ) {
    // A reload read every layer afresh: keep what it read even though the config does not change.
    return layers.sources === live.layers.sources ? { kind: 'unchanged' } : { kind: 'unchanged', layers }
  }
  const frozen = freezeIn(config, scope)
  return {
    kind: 'ready',
    prepared: {
      config: frozen,
      layers,
      changes,
      pendingRestart,
      // A reload read the overrides from their backend: nothing new to write back.
      persist:
        restartPolicy === 'reject' &&
        (layers.overrides !== live.layers.overrides || layers.parked !== live.layers.parked),
      ...extra,
    },
  }
}

/** `deepFreeze(value)`, descending only where `scope` says it may hold new objects: the rest is live, and frozen. */
function freezeIn<T>(value: T, scope: Scope | undefined): T {
  if (scope === undefined) return deepFreeze(value)
  if (!isPlainObject(value) || Object.isFrozen(value)) return value
  Object.freeze(value)
  for (const [key, below] of scope) if (Object.hasOwn(value, key)) freezeIn(value[key], below)
  return value
}

function overlapsPattern(path: string, pattern: string): boolean {
  if (!pattern.includes('*')) return overlaps(path, pattern)
  const a = splitPath(path)
  const b = splitPath(pattern)
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (b[i] !== '*' && b[i] !== a[i]) return false
  return true
}

function sameRestarts(a: readonly PendingRestart[], b: readonly PendingRestart[]): boolean {
  return a.length === b.length && a.every((p, i) => p.path === b[i]?.path && Object.is(p.next, b[i]?.next))
}
