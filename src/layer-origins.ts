import type { LayerState, LoadedLayer } from './layers.ts'
import type { Redactor } from './schema/redactor.ts'
import { getAt, isPlainObject, splitPath } from './tree/paths.ts'
import { deletedAt, TOMBSTONE } from './tree/tombstone.ts'
import type { ConfigIssue, Explanation, ValueOrigin } from './types.ts'

/* Where a value came from: the layer behind a path, for `explain()` and for the issues of a failed start or
   reload. */

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
