import { messageOf } from './error-message.ts'
import { ConfigError, formatIssue, issue } from './errors.ts'
import type { Redactor } from './schema/redactor.ts'
import { mergeLayers } from './tree/merge.ts'
import { assocIn } from './tree/patch.ts'
import { getAt, isPlainObject, isUnder, splitPath } from './tree/paths.ts'
import { deletedAt, TOMBSTONE } from './tree/tombstone.ts'
import type {
  BackendContext,
  ConfigIssue,
  ConfigSource,
  Explanation,
  OverridesBackend,
  PersistedOverrides,
  SourceContext,
  ValueOrigin,
} from './types.ts'
import { withTimeout } from './with-timeout.ts'

/** One loaded source layer. */
export interface LoadedLayer {
  readonly name: string
  readonly data: Readonly<Record<string, unknown>> | undefined
  readonly files: readonly string[]
  readonly origin?: (path: string) => string | undefined
  readonly version?: string
  /** What the source left out and reports (see `SourceData.warnings`). */
  readonly warnings?: readonly ConfigIssue[]
  /** Where the layer set values, for issues (see `SourceData.locate`). */
  readonly locate?: (paths: readonly string[]) => readonly (ValueOrigin | undefined)[]
}

/** Every layer below the effective config, low to high. Immutable: a transaction builds a new one. */
export interface LayerState {
  readonly defaults: Readonly<Record<string, unknown>>
  readonly initial: Readonly<Record<string, unknown>>
  readonly sources: readonly LoadedLayer[]
  /** Runtime overrides: only the paths changed at runtime; a `TOMBSTONE` where a runtime change deleted a key. */
  readonly overrides: Readonly<Record<string, unknown>>
  /**
   * Persisted overrides this schema does not accept (a key an instance with a newer schema wrote, a value an older
   * one allowed): not applied, but kept in the persisted document, so they are not lost for the instances that
   * accept them. See `parkOverrides`.
   */
  readonly parked: Readonly<Record<string, unknown>>
}

/** The overrides document to persist: the parked overrides, with the live ones over them. */
export function persistedOverrides(layers: LayerState): Readonly<Record<string, unknown>> {
  if (Object.keys(layers.parked).length === 0) return layers.overrides
  return mergeLayers([layers.parked, layers.overrides], { keepTombstones: true })
}

/** What `writeOverride` writes: a value, a deletion (`undefined`), or `INHERIT` (no override: the lower layers show). */
export const INHERIT: unique symbol = Symbol('hotconf.inherit')

/**
 * The overrides with one path rewritten so that the layers merged give `value` there (`undefined`: the key is gone;
 * `INHERIT`: whatever the lower layers give), and everything else as before. A deletion writes a `TOMBSTONE` only
 * where a lower layer sets the path; an object written over a lower object tombstones the lower keys it lacks; a
 * write below a tombstone or a non-object override keeps the rest of the lower object hidden.
 */
export function writeOverride(
  layers: LayerState,
  overrides: Readonly<Record<string, unknown>>,
  segments: readonly string[],
  value: unknown,
): Readonly<Record<string, unknown>> {
  return (put(layers, overrides, segments, 0, value) ?? {}) as Readonly<Record<string, unknown>>
}

/** The warning for an override `parkOverrides` set aside. */
export function parkedMessage(path: string, why: string): string {
  return `the persisted override at ${path} does not fit this schema (${why}): not applied, kept where it is persisted`
}

/** True when an override is written at `path`, above it, or below it (a cross-field rule on an object). */
function overridden(overrides: Readonly<Record<string, unknown>>, path: string): boolean {
  const segments = splitPath(path)
  for (let i = segments.length; i > 0; i--) {
    if (getAt(overrides, segments.slice(0, i)) !== undefined) return true
  }
  return path !== '' && Object.keys(overrides).some((k) => isUnder(k, path))
}

/**
 * Moves the overrides behind `issues` (those at an overridden path) from `overrides` to `parked`: the config is
 * built without them, and they stay in what is persisted. Returns one issue per override it parked, at the path of
 * the override (the issue's own path leads its message when it lies deeper); none when no issue is an override's
 * (then the problem is in a source, and the caller fails).
 */
export function parkOverrides(
  layers: LayerState,
  issues: readonly ConfigIssue[],
): { readonly layers: LayerState; readonly parked: readonly ConfigIssue[] } {
  let overrides = layers.overrides
  let kept = layers.parked
  const parked: ConfigIssue[] = []
  for (const found of issues) {
    if (found.path === '' || !overridden(overrides, found.path)) continue
    const segments = overrideAt(overrides, splitPath(found.path))
    const value = getAt(overrides, segments)
    // Gone already: another issue under the same override moved it.
    if (value === undefined) continue
    kept = assocIn(kept, segments, value)
    overrides = assocIn(overrides, segments, undefined)
    const path = segments.join('.')
    parked.push({
      ...found,
      path,
      message: path === found.path ? found.message : `${found.path}: ${found.message}`,
    })
  }
  return parked.length === 0 ? { layers, parked } : { layers: { ...layers, overrides, parked: kept }, parked }
}

/**
 * The part of `segments` that names one override: the path up to the first value that is not an object (an issue
 * at `tags.0` parks the whole `tags` array, which is what the override wrote), or all of it.
 */
function overrideAt(
  overrides: Readonly<Record<string, unknown>>,
  segments: readonly string[],
): readonly string[] {
  let node: unknown = overrides
  for (let i = 0; i < segments.length; i++) {
    if (!isPlainObject(node)) return segments.slice(0, i)
    node = node[segments[i]!]
  }
  return segments
}

/** The merge of every layer, low to high, before validation. */
export function mergeLayerState(layers: LayerState): Record<string, unknown> {
  return mergeLayers([
    layers.defaults,
    layers.initial,
    ...layers.sources.map((s) => s.data),
    layers.overrides,
  ])
}

/**
 * Loads every source at once; collects every issue of every failing source before giving up. A source that has not
 * settled after `timeoutMs` fails with `SOURCE_TIMEOUT` (its signal is aborted, its late result dropped).
 */
export async function loadSources(
  sources: readonly ConfigSource[],
  ctx: Omit<SourceContext, 'signal'>,
  timeoutMs: number,
): Promise<LoadedLayer[]> {
  const issues: ConfigIssue[] = []
  const loaded = await Promise.all(
    sources.map(async (source): Promise<LoadedLayer | undefined> => {
      try {
        const got = await withTimeout(
          timeoutMs,
          (signal) => source.load({ ...ctx, signal }),
          () => timedOut(source.name, timeoutMs),
        )
        return {
          name: got.name ?? source.name,
          data: got.data,
          files: got.files ?? [],
          ...(got.origin ? { origin: got.origin } : {}),
          ...(got.version === undefined ? {} : { version: got.version }),
          ...(got.warnings?.length ? { warnings: got.warnings } : {}),
          ...(got.locate ? { locate: got.locate } : {}),
        }
      } catch (error) {
        if (error instanceof ConfigError) issues.push(...error.issues)
        else issues.push({ code: 'SOURCE_FAILED', path: '', source: source.name, message: messageOf(error) })
        return undefined
      }
    }),
  )
  if (issues.length > 0) throw new ConfigError(issues)
  return loaded as LoadedLayer[]
}

/** The backend's persisted overrides; a load that has not settled after `timeoutMs` fails with `SOURCE_TIMEOUT`. */
export function loadOverrides(
  backend: OverridesBackend,
  ctx: Omit<BackendContext, 'signal'>,
  timeoutMs: number,
): Promise<PersistedOverrides | undefined> {
  return withTimeout(
    timeoutMs,
    (signal) => backend.load({ ...ctx, signal }),
    () => timedOut(backend.name, timeoutMs),
  )
}

/**
 * Reports the warnings of loaded layers (`SourceData.warnings`), each once for the life of the store: a reload that
 * finds the same stray variable again says nothing new.
 */
export function sourceWarnings(
  report: (code: ConfigIssue['code'], message: string) => void,
): (layers: readonly LoadedLayer[]) => void {
  const seen = new Set<string>()
  return (layers) => {
    for (const warning of layers.flatMap((layer) => layer.warnings ?? [])) {
      const text = formatIssue(warning)
      if (seen.has(text)) continue
      seen.add(text)
      report(warning.code, text)
    }
  }
}

/** Which layer gave the value at `path`, and the lower layers it shadows (secrets redacted). */
export function explainPath(
  layers: LayerState,
  path: string,
  value: unknown,
  redactor: Redactor,
): Explanation {
  const deleted = deletedAt(layers.overrides, splitPath(path))
  const found = layersAt(layers, path).map((hit) => ({
    layer: hit.label,
    value: redactor.value(hit.value, path),
  }))
  if (deleted) found.unshift({ layer: 'override', value: undefined })
  const [top, ...shadowed] = found
  return {
    path,
    value: redactor.value(value, path),
    layer: top?.layer ?? 'default',
    ...(deleted ? { deleted: true } : {}),
    shadowed,
  }
}

/**
 * Names, in each issue that has no `source` yet, the layer that supplied the offending value: the highest layer with
 * a value at the issue's path (or under it), placed by its `locate` (a file with line and column, an env var), else
 * named by `origin` or its name; `initial` and `overrides` for those layers. An issue at an object that several
 * layers feed (a cross-field rule) also lists them all in its message, highest first. Each layer is asked once for
 * all its paths: placing may parse a file again.
 */
export function attributeIssues(layers: LayerState, issues: readonly ConfigIssue[]): ConfigIssue[] {
  const hits = issues.map((found) =>
    found.source !== undefined || found.path === '' ? [] : layersAt(layers, found.path),
  )
  const wanted = new Map<LoadedLayer, string[]>()
  for (const hit of hits.flat()) {
    if (!hit.layer?.locate) continue
    const paths = wanted.get(hit.layer) ?? []
    if (!paths.includes(hit.path)) paths.push(hit.path)
    wanted.set(hit.layer, paths)
  }
  const placed = new Map<LoadedLayer, Map<string, ValueOrigin | undefined>>()
  for (const [layer, paths] of wanted) {
    let origins: readonly (ValueOrigin | undefined)[] = []
    try {
      origins = layer.locate!(paths)
    } catch {
      // A source that cannot place its values still has a name: the issue must not be lost to it.
    }
    placed.set(layer, new Map(paths.map((path, i) => [path, origins[i]])))
  }
  const originOf = (hit: LayerHit): ValueOrigin =>
    (hit.layer && placed.get(hit.layer)?.get(hit.path)) ?? { source: hit.source }
  return issues.map((found, i) => {
    const [top] = hits[i]!
    if (!top) return found
    const origin = originOf(top)
    // Several layers feed an object a rule refused: any of them may hold the value to fix (defaults feed them all).
    const feeding = hits[i]!.filter((hit) => hit.source !== 'default')
    const message =
      feeding.length > 1 && isPlainObject(top.value)
        ? `${found.message} (${found.path} is set by ${feeding.map((hit) => formatOrigin(originOf(hit))).join(', ')})`
        : found.message
    return { ...found, ...origin, message }
  })
}

/** `source:line:column`, as far as it is known. */
function formatOrigin(origin: ValueOrigin): string {
  const column = origin.column === undefined ? '' : `:${origin.column}`
  return origin.line === undefined ? origin.source : `${origin.source}:${origin.line}${column}`
}

interface LayerHit {
  readonly path: string
  /** The layer's label in `explain()`. */
  readonly label: string
  /** The layer's name in an issue's `source`. */
  readonly source: string
  readonly value: unknown
  readonly layer?: LoadedLayer
}

/** Every layer with a value at `path` (or an object holding values under it), highest first. */
function layersAt(layers: LayerState, path: string): LayerHit[] {
  const segments = splitPath(path)
  const found: LayerHit[] = []
  const look = (label: string, source: string, data: unknown, layer?: LoadedLayer) => {
    const value = getAt(data, segments)
    // A tombstone is not a value: `explainPath` reports it as `deleted`.
    if (value !== undefined && value !== TOMBSTONE)
      found.push({ path, label, source, value, ...(layer ? { layer } : {}) })
  }
  look('override', 'overrides', layers.overrides)
  for (let i = layers.sources.length - 1; i >= 0; i--) {
    const source = layers.sources[i]!
    const label = source.origin?.(path) ?? source.name
    look(label, label, source.data, source)
  }
  look('initial', 'initial', layers.initial)
  look('default', 'default', layers.defaults)
  return found
}

// --- internal ---

function timedOut(source: string, timeoutMs: number): ConfigError {
  return new ConfigError(
    issue('SOURCE_TIMEOUT', '', `${source} did not load within ${timeoutMs} ms (loadTimeoutMs)`, { source }),
  )
}

function put(
  layers: LayerState,
  node: unknown,
  segments: readonly string[],
  at: number,
  value: unknown,
): unknown {
  if (at === segments.length) {
    if (value === INHERIT) return undefined
    if (value === undefined) return lowerAt(layers, segments) === undefined ? undefined : TOMBSTONE
    return isPlainObject(value) ? hide(value, lowerAt(layers, segments)) : value
  }
  // Below a tombstone or a non-object override the lower object is hidden: write into an object that keeps it so.
  const base: Record<string, unknown> = isPlainObject(node)
    ? node
    : node === undefined
      ? {}
      : hideAll(lowerAt(layers, segments.slice(0, at)))
  const key = segments[at]!
  const child = Object.hasOwn(base, key) ? base[key] : undefined
  const next = put(layers, child, segments, at + 1, value)
  // Nothing to write or to clear below (a reset of a key nobody overrides): the layer keeps its identity.
  if (next === child && (base === node || next === undefined)) return node
  const out: Record<string, unknown> = { ...base }
  if (next === undefined) delete out[key]
  else out[key] = next
  return out
}

/** The lower layers (defaults, initial, sources) merged at one path only. */
function lowerAt(layers: LayerState, segments: readonly string[]): unknown {
  let out: unknown
  for (const layer of [layers.defaults, layers.initial, ...layers.sources.map((s) => s.data)]) {
    const v = getAt(layer, segments)
    if (v === undefined) continue
    out = isPlainObject(v) && isPlainObject(out) ? mergeLayers([out, v]) : v
  }
  return out
}

/** `value` with a tombstone for every key of `lower` it lacks, at every level where both are objects. */
function hide(value: unknown, lower: unknown): unknown {
  if (!isPlainObject(value) || !isPlainObject(lower)) return value
  const out: Record<string, unknown> = hideAll(lower)
  for (const key of Object.keys(value)) if (value[key] !== undefined) out[key] = hide(value[key], lower[key])
  return out
}

function hideAll(lower: unknown): Record<string, unknown> {
  return isPlainObject(lower) ? Object.fromEntries(Object.keys(lower).map((k) => [k, TOMBSTONE])) : {}
}
