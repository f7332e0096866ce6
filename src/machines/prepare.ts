import { current, freeze, type Immer } from 'immer'
import type { z } from 'zod'
import { messageOf } from '../error-message.ts'
import { ConfigError, issue } from '../errors.ts'
import {
  attributeIssues,
  INHERIT,
  type LayerState,
  type LoadedLayer,
  loadOverrides,
  loadSources,
  mergeLayerState,
  parkedMessage,
  parkOverrides,
  persistedOverrides,
  writeOverride,
} from '../layers.ts'
import { checkTree } from '../schema/check-tree.ts'
import { REDACTED, type Redactor } from '../schema/redactor.ts'
import { cloneData } from '../tree/clone.ts'
import { diffTrees } from '../tree/diff.ts'
import { deepEqual } from '../tree/equal.ts'
import { FORBIDDEN_KEYS, findForbiddenKeys } from '../tree/forbidden.ts'
import { assocIn, mergePatch } from '../tree/patch.ts'
import { getAt, isPlainObject, joinPath, overlaps, splitPath } from '../tree/paths.ts'
import { reconcile } from '../tree/reconcile.ts'
import type { Change, ConfigIssue, ConfigSource, OverridesBackend, PendingRestart } from '../types.ts'
import type { Committed, Intent, LoadedLayers, Validated } from './transaction.ts'

/** Everything the validating step reads besides the live state. */
export interface PrepareEnv<TConfig> {
  readonly schema: z.ZodType
  readonly immer: Immer
  readonly redactor: Redactor
  readonly restartPaths: readonly string[]
  readonly sources: readonly ConfigSource[]
  readonly backend: OverridesBackend | undefined
  readonly environment: string
  /** Time each source read and backend load has (`loadTimeoutMs`). */
  readonly loadTimeoutMs: number
  readonly report: (code: 'CORRUPT_FILE' | 'SOURCE_FAILED' | 'INVALID', message: string) => void
  /** Reports what loaded layers left out (see `sourceWarnings`). */
  readonly warnSources: (layers: readonly LoadedLayer[]) => void
  readonly lookup: (target: number | string) => { config: TConfig; revision: number } | undefined
}

/**
 * The validating step: build the candidate from the live state, validate what changed, diff, apply the restart
 * policy. Pure and synchronous (a reload's reads happen before it is queued, see `loadLayers`). Runtime changes of
 * `restart` keys are refused; a reload defers them.
 */
export function prepare<TConfig>(
  env: PrepareEnv<TConfig>,
  live: Committed<TConfig>,
  intent: Intent,
  expectedRevision?: number,
): Validated<TConfig> {
  const result = validate(env, live, intent, expectedRevision)
  if (result.kind !== 'rejected' || !env.redactor.hasSecrets) return result
  // Messages may quote the live config or the raw input (a patch, a layer) at secret paths, valid or not.
  return rejected(env.redactor.issues(result.errors, live.config, ...inputsOf(intent)))
}

// --- internal ---

const rejected = (errors: readonly ConfigIssue[]): Validated<never> => ({ kind: 'rejected', errors })

const threw = (what: string, error: unknown) => issue('INVALID', '', `${what} threw: ${messageOf(error)}`)

/** The raw values a transaction brings, each rooted at the config's root. */
function inputsOf(intent: Intent): unknown[] {
  switch (intent.kind) {
    case 'update':
      return [intent.change]
    case 'set':
      // fromEntries defines own keys, so even a refused `__proto__` segment stays plain data.
      return [splitPath(intent.path).reduceRight((v, key) => Object.fromEntries([[key, v]]), intent.value)]
    case 'reload':
      return 'failed' in intent ? [] : [...intent.loaded.sources.map((s) => s.data), intent.loaded.overrides]
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
        return fromReset(env, live, intent.path)
      case 'rollback':
        return fromRollback(env, live, intent.target)
      case 'import':
        return fromImport(env, live, intent.config)
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
  if (typeof change !== 'function') candidate = mergePatch(live.config, change as Record<string, unknown>)
  else {
    // What the recipe wrote before it threw: its message may quote a secret it was setting.
    let written: unknown
    try {
      candidate = env.immer.produce(live.config, (draft: TConfig) => {
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
  return finish(env, live, candidate, 'reject', (changes, config) => overlay(live.layers, changes, config))
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
  return finish(env, live, candidate, 'reject', (changes, config) => overlay(live.layers, changes, config))
}

/** A reload's first read: every source. Throws a `ConfigError` with every issue when one cannot be read. */
export async function readSources<TConfig>(env: PrepareEnv<TConfig>): Promise<LoadedLayer[]> {
  const layers = await loadSources(
    env.sources,
    { environment: env.environment, schema: env.schema },
    env.loadTimeoutMs,
  )
  env.warnSources(layers)
  return layers
}

/** A reload's second read: the overrides backend, which another instance may have written. */
export async function readOverrides<TConfig>(
  env: PrepareEnv<TConfig>,
): Promise<Readonly<Record<string, unknown>> | undefined> {
  if (!env.backend) return undefined
  const doc = await loadOverrides(
    env.backend,
    { environment: env.environment, report: (w) => env.report(w.code, w.message) },
    env.loadTimeoutMs,
  )
  return doc?.overrides ?? {}
}

function fromReload<TConfig>(
  env: PrepareEnv<TConfig>,
  live: Committed<TConfig>,
  loaded: LoadedLayers,
): Validated<TConfig> {
  // Same content, same objects: a reload that read back what is persisted changes nothing.
  const same = loaded.overrides === undefined || deepEqual(loaded.overrides, persistedOverrides(live.layers))
  let layers: LayerState = {
    ...live.layers,
    sources: loaded.sources,
    ...(same ? {} : { overrides: loaded.overrides, parked: {} }),
  }
  const version = loaded.sources
    .map((s) => s.version)
    .filter(Boolean)
    .join(',')
  for (;;) {
    const candidate = reconcile(live.config, mergeLayerState(layers))
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

function fromReset<TConfig>(
  env: PrepareEnv<TConfig>,
  live: Committed<TConfig>,
  path?: string,
): Validated<TConfig> {
  // Resetting what is already empty changes nothing: keep the identities so the result is `unchanged`.
  const all = path === undefined || path === ''
  const cleared = (layer: Readonly<Record<string, unknown>>) =>
    all ? (Object.keys(layer).length === 0 ? layer : {}) : assocIn(layer, splitPath(path), undefined)
  // A reset drops parked overrides too: they are overrides, whether this schema accepts them or not.
  const layers: LayerState = {
    ...live.layers,
    // A tombstone above the path is kept for the rest of the object it deleted.
    overrides: all
      ? cleared(live.layers.overrides)
      : writeOverride(live.layers, live.layers.overrides, splitPath(path), INHERIT),
    parked: cleared(live.layers.parked),
  }
  return finish(env, live, reconcile(live.config, mergeLayerState(layers)), 'reject', () => layers)
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
  const restored = env.immer.produce(cloneData(config), (draft: Record<string, unknown>) => {
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

/**
 * Runtime changes go to the overrides layer: only the changed leaves. A deletion is written at the outermost path
 * the new config lacks (deleting `a` deletes the object, not each of its leaves), as a tombstone when a lower layer
 * sets it.
 */
function overlay(layers: LayerState, changes: readonly Change[], config: unknown): LayerState {
  let overrides = layers.overrides
  for (const c of changes) {
    let segments = splitPath(c.path)
    if (c.to === undefined) {
      let i = 1
      while (i < segments.length && getAt(config, segments.slice(0, i)) !== undefined) i++
      segments = segments.slice(0, i)
    }
    overrides = writeOverride(layers, overrides, segments, freeze(cloneData(c.to), true))
  }
  return overrides === layers.overrides ? layers : { ...layers, overrides: freeze(overrides, true) }
}

function finish<TConfig>(
  env: PrepareEnv<TConfig>,
  live: Committed<TConfig>,
  candidate: TConfig,
  restartPolicy: 'reject' | 'defer',
  nextLayers: (changes: readonly Change[], config: TConfig) => LayerState,
  extra: { readonly persistedVersion?: string } = {},
): Validated<TConfig> {
  const issues: ConfigIssue[] = []
  let parsed: unknown
  try {
    parsed = checkTree(env.schema, candidate, live.config, issues)
  } catch (error) {
    // The candidate is known only here: a refinement's message may quote a secret in it (`JSON.parse` of one).
    return rejected(env.redactor.issues([threw('validation', error)], candidate))
  }
  // The candidate and what the schema made of it: a transform may have turned a secret into new text.
  if (issues.length > 0) return rejected(env.redactor.issues(issues, candidate, parsed))
  // Defaults and coercions rebuild objects: keep live identities wherever the parsed value is equal.
  let config = reconcile(live.config, parsed) as TConfig
  let changes = diffTrees(live.config, config)
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
  const frozen = freeze(config, true) as TConfig
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
