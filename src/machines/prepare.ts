import { ConfigError, issue } from '../errors.ts'
import { type ExpiryRef, stillExpiring } from '../expiries.ts'
import { attributeIssues } from '../layer-origins.ts'
import { INHERIT, parkedMessage, parkOverrides, writeOverride } from '../layer-overrides.ts'
import { type LayerState, layerStack, persistedOverrides } from '../layers.ts'
import { schemaScope } from '../schema/check-tree.ts'
import { REDACTED, type Redactor } from '../schema/redactor.ts'
import { cloneData } from '../tree/clone.ts'
import { deepEqual } from '../tree/equal.ts'
import { FORBIDDEN_KEYS, findForbiddenKeys } from '../tree/forbidden.ts'
import { assocIn, mergePatch } from '../tree/patch.ts'
import { getAt, isPlainObject, joinPath, splitPath } from '../tree/paths.ts'
import { reconcile } from '../tree/reconcile.ts'
import { remerge, remergeIn } from '../tree/remerge.ts'
import { type Scope, scopeOfPatch, scopeOfPaths } from '../tree/scope.ts'
import type { Change } from '../types.ts'
import { finish, overlay, type PrepareEnv, rejected, threw } from './candidate.ts'
import { withDeadlines } from './deadlines.ts'
import { drafts } from './drafts.ts'
import { fromProbationEnd } from './probation-step.ts'
import type { Committed, Intent, LoadedLayers, Validated } from './transaction.ts'

/**
 * The validating step: build the candidate from the live state, validate what changed, diff, apply the restart
 * policy. Pure and synchronous (a reload's reads happen before it is queued, in the machine's loader). Runtime changes of
 * `restart` keys are refused; a reload defers them.
 */
export function prepare<TConfig>(
  env: PrepareEnv<TConfig>,
  live: Committed<TConfig>,
  intent: Intent,
  expectedRevision?: number,
): Validated<TConfig> {
  const result = withDeadlines(live, intent, validate(env, live, intent, expectedRevision))
  if (result.kind !== 'rejected' || !env.redactor.hasSecrets) return result
  // Messages may quote the live config or the raw input (a patch, a layer) at secret paths, valid or not.
  return rejected(env.redactor.issues(result.errors, live.config, ...inputsOf(intent)))
}

// --- internal ---

/** The raw values a transaction brings, each rooted at the config's root. */
function inputsOf(intent: Intent): unknown[] {
  switch (intent.kind) {
    case 'update':
      return [intent.change]
    case 'set':
      // fromEntries defines own keys, so even a refused `__proto__` segment stays plain data.
      return [splitPath(intent.path).reduceRight((v, key) => Object.fromEntries([[key, v]]), intent.value)]
    case 'reload':
      return 'failed' in intent
        ? []
        : [...intent.loaded.sources.map((s) => s.data), intent.loaded.overrides?.overrides]
    case 'import':
      return [intent.config]
    default:
      return []
  }
}

function validate<TConfig>(
  env: PrepareEnv<TConfig>,
  live: Committed<TConfig>,
  intent: Intent,
  expectedRevision: number | undefined,
): Validated<TConfig> {
  if (expectedRevision !== undefined && expectedRevision !== live.revision) {
    return rejected([
      issue(
        'STALE_REVISION',
        '',
        `expected revision ${expectedRevision}, but the live revision is ${live.revision}`,
      ),
    ])
  }
  try {
    switch (intent.kind) {
      case 'update':
        return fromUpdate(env, live, intent.change)
      case 'set':
        return fromSet(env, live, intent.path, intent.value)
      case 'reload':
        return 'failed' in intent ? rejected(intent.failed) : fromReload(env, live, intent.loaded)
      case 'reset':
        return intent.expired
          ? fromExpiry(env, live, intent.expired)
          : fromReset(env, live, intent.path === undefined ? [] : [intent.path])
      case 'rollback':
        return fromRollback(env, live, intent.target)
      case 'import':
        return fromImport(env, live, intent.config)
      case 'probation':
        return fromProbationEnd(env, live, intent)
    }
  } catch (error) {
    // A refinement that throws is the schema's bug, but must not take the store down with it.
    if (error instanceof ConfigError) return rejected(error.issues)
    return rejected([threw('validation', error)])
  }
}

function fromUpdate<TConfig>(
  env: PrepareEnv<TConfig>,
  live: Committed<TConfig>,
  change: unknown,
): Validated<TConfig> {
  if (typeof change !== 'function') {
    if (!isPlainObject(change))
      return rejected([issue('INVALID', '', 'a patch must be a plain object or a recipe function')])
    const forbidden = findForbiddenKeys(change)
    if (forbidden.length > 0) return rejected(forbidden)
  }
  let candidate: TConfig
  let scope: Scope | undefined
  if (typeof change !== 'function') {
    candidate = mergePatch(live.config, change as Record<string, unknown>)
    scope = schemaScope(env.schema, scopeOfPatch(change as Record<string, unknown>))
  } else {
    // What the recipe wrote before it threw: its message may quote a secret it was setting.
    let written: unknown
    try {
      const { immer, current } = drafts()
      candidate = immer.produce(live.config, (draft: TConfig) => {
        try {
          return (change as (draft: TConfig) => TConfig | undefined)(draft)
        } catch (error) {
          written = current(draft as object)
          throw error
        }
      }) as TConfig
    } catch (error) {
      return rejected(env.redactor.issues([threw('the update recipe', error)], written))
    }
  }
  return finish(env, live, candidate, 'reject', overlaidOn(live), {}, scope)
}

/** A runtime write's next layers: its changes written into the overrides of `live`. */
function overlaidOn<TConfig>(live: Committed<TConfig>) {
  return (changes: readonly Change[], config: TConfig) => overlay(live.layers, changes, config)
}

/** One path, one value: a path copy instead of an immer draft. */
function fromSet<TConfig>(
  env: PrepareEnv<TConfig>,
  live: Committed<TConfig>,
  path: string,
  value: unknown,
): Validated<TConfig> {
  const segments = splitPath(path)
  const bad = segments.find((k) => FORBIDDEN_KEYS.has(k))
  if (bad !== undefined) return rejected([issue('FORBIDDEN_KEY', path, `key "${bad}" is not allowed`)])
  const forbidden = findForbiddenKeys(value, path)
  if (forbidden.length > 0) return rejected(forbidden)
  const old = getAt(live.config, segments)
  const candidate = assocIn(live.config, segments, reconcile(old, cloneData(value)))
  const scope = schemaScope(env.schema, scopeOfPaths([segments]))
  return finish(env, live, candidate, 'reject', overlaidOn(live), {}, scope)
}

function fromReload<TConfig>(
  env: PrepareEnv<TConfig>,
  live: Committed<TConfig>,
  loaded: LoadedLayers,
): Validated<TConfig> {
  // Same content, same objects: a reload that read back what is persisted changes nothing.
  const read = loaded.overrides
  const same = read === undefined || deepEqual(read.overrides, persistedOverrides(live.layers))
  let layers: LayerState = {
    ...live.layers,
    sources: loaded.sources,
    ...(same ? {} : { overrides: read.overrides, parked: {} }),
    ...(read === undefined || deepEqual(read.expiries, live.layers.expiries)
      ? {}
      : { expiries: read.expiries }),
    ...(read === undefined || deepEqual(read.probation, live.layers.probation)
      ? {}
      : { probation: read.probation }),
  }
  const version = loaded.sources
    .map((s) => s.version)
    .filter(Boolean)
    .join(',')
  // Where a layer kept its objects (an unchanged file, a one-value edit), the live subtree stands: cost follows the change.
  const pinned = live.pendingRestart.map((p) => p.path)
  for (;;) {
    const candidate = remerge(live.config, layerStack(live.layers), layerStack(layers), pinned)
    const result = finish(
      env,
      live,
      candidate,
      'defer',
      () => layers,
      version ? { persistedVersion: version } : {},
    )
    // Another instance may have persisted overrides this schema does not accept: park them, as at start.
    const { layers: next, parked } =
      result.kind === 'rejected' ? parkOverrides(layers, result.errors) : { layers, parked: [] }
    if (parked.length === 0)
      return result.kind === 'rejected' ? rejected(attributeIssues(layers, result.errors)) : result
    for (const i of parked) {
      if (getAt(live.layers.parked, splitPath(i.path)) === undefined)
        env.report('INVALID', parkedMessage(i.path, i.message))
    }
    layers = next
  }
}

/** Resets the paths (none: every override). */
function fromReset<TConfig>(
  env: PrepareEnv<TConfig>,
  live: Committed<TConfig>,
  paths: readonly string[],
): Validated<TConfig> {
  // Resetting what is already empty changes nothing: keep the identities so the result is `unchanged`.
  const all = paths.length === 0 || paths.includes('')
  const empty = (layer: Readonly<Record<string, unknown>>) => (Object.keys(layer).length === 0 ? layer : {})
  let { overrides, parked } = live.layers
  const owned = new Set<object>()
  if (all) {
    overrides = empty(overrides)
    parked = empty(parked)
  }
  for (const path of all ? [] : paths) {
    // A tombstone above the path is kept for the rest of the object it deleted.
    overrides = writeOverride(live.layers, overrides, splitPath(path), INHERIT, owned)
    // A reset drops parked overrides too: they are overrides, whether this schema accepts them or not.
    parked = assocIn(parked, splitPath(path), undefined)
  }
  const layers: LayerState = { ...live.layers, overrides, parked }
  // Merged afresh only where the overrides changed: an expiry of one key in a wide config costs that key. A restart
  // key holding its old value differs from its layers: then every walk compares every key.
  const pinned = live.pendingRestart.map((p) => p.path)
  const [prev, next] = [layerStack(live.layers), layerStack(layers)]
  let scope =
    all || pinned.length > 0 ? undefined : schemaScope(env.schema, scopeOfPaths(paths.map(splitPath)))
  let candidate = scope && remergeIn(live.config, prev, next, scope)
  if (candidate === undefined) {
    scope = undefined
    candidate = remerge(live.config, prev, next, pinned)
  }
  return finish(env, live, candidate, 'reject', () => layers, {}, scope)
}

/** The overrides whose deadline passed, where a later write has not replaced it (the later write wins). */
function fromExpiry<TConfig>(
  env: PrepareEnv<TConfig>,
  live: Committed<TConfig>,
  expired: readonly ExpiryRef[],
): Validated<TConfig> {
  const paths = stillExpiring(live.layers.expiries, expired)
  return paths.length === 0 ? { kind: 'unchanged' } : fromReset(env, live, paths)
}

function fromRollback<TConfig>(
  env: PrepareEnv<TConfig>,
  live: Committed<TConfig>,
  target: number | string,
): Validated<TConfig> {
  const found = env.lookup(target)
  if (!found) {
    return rejected([issue('NOT_FOUND', '', `no retained revision or snapshot "${String(target)}"`)])
  }
  const candidate = reconcile(live.config, found.config)
  const result = finish(env, live, candidate, 'reject', (changes, config) =>
    overlay(live.layers, changes, config),
  )
  return result.kind === 'ready'
    ? { kind: 'ready', prepared: { ...result.prepared, rollbackOf: found.revision } }
    : result
}

function fromImport<TConfig>(
  env: PrepareEnv<TConfig>,
  live: Committed<TConfig>,
  config: unknown,
): Validated<TConfig> {
  if (!isPlainObject(config)) return rejected([issue('INVALID', '', 'the imported config must be an object')])
  const forbidden = findForbiddenKeys(config)
  if (forbidden.length > 0) return rejected(forbidden)
  // An export without secrets says '[redacted]': keep the live secret rather than storing the placeholder.
  const restored = drafts().immer.produce(cloneData(config), (draft: Record<string, unknown>) => {
    restoreRedacted(env.redactor, draft, live.config, '')
  })
  const candidate = reconcile(live.config, restored)
  return finish(env, live, candidate, 'reject', (changes, config) => overlay(live.layers, changes, config))
}

function restoreRedacted(redactor: Redactor, draft: object, liveNode: unknown, path: string): void {
  const node = draft as Record<string, unknown>
  for (const key of Object.keys(node)) {
    const at = joinPath(path, key)
    const value = node[key]
    const liveValue = liveNode !== null && typeof liveNode === 'object' ? getAt(liveNode, [key]) : undefined
    if (value === REDACTED && redactor.isSecret(at)) node[key] = liveValue
    // Arrays too: an exported list of secrets says '[redacted]' item by item.
    else if (isPlainObject(value) || Array.isArray(value)) restoreRedacted(redactor, value, liveValue, at)
  }
}
