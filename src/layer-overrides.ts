import type { LayerState } from './layers.ts'
import { flattenLeaves } from './tree/leaves.ts'
import { mergeLayers } from './tree/merge.ts'
import { assocIn } from './tree/patch.ts'
import { getAt, isPlainObject, isUnder, splitPath } from './tree/paths.ts'
import { TOMBSTONE } from './tree/tombstone.ts'
import { copyObject } from './tree/wide-object.ts'
import type { ConfigIssue } from './types.ts'

/* The runtime overrides layer: how a write, a deletion or a reset is written into it (tombstones included), and
   how overrides this schema does not accept are parked. */

/** What `writeOverride` writes: a value, a deletion (`undefined`), or `INHERIT` (no override: the lower layers show). */
export const INHERIT: unique symbol = Symbol('hotconf.inherit')

/**
 * The overrides with one path rewritten so that the layers merged give `value` there (`undefined`: the key is gone;
 * `INHERIT`: whatever the lower layers give), and everything else as before. A deletion writes a `TOMBSTONE` only
 * where a lower layer sets the path; an object written over a lower object tombstones the lower keys it lacks; a
 * write below a tombstone or a non-object override keeps the rest of the lower object hidden. Several writes in a
 * row may share `owned`: objects one of them copied are then written in place by the next instead of copied again
 * (many paths under one wide object cost their number, not their number times the object's width).
 */
export function writeOverride(
  layers: LayerState,
  overrides: Readonly<Record<string, unknown>>,
  segments: readonly string[],
  value: unknown,
  owned: Set<object> = new Set(),
): Readonly<Record<string, unknown>> {
  return (put(layers, overrides, segments, 0, value, owned) ?? {}) as Readonly<Record<string, unknown>>
}

/** The warning for an override `parkOverrides` set aside. */
export function parkedMessage(path: string, why: string): string {
  return `the persisted override at ${path} does not fit this schema (${why}): not applied, kept where it is persisted`
}

/**
 * The parked overrides as `status().parked` lists them: one entry per override `parkOverrides` set aside, with the
 * reason from its warning (`warnings`, newest first); a leaf whose warning is no longer kept gets a general one.
 */
export function parkedList(
  parked: Readonly<Record<string, unknown>>,
  warnings: readonly { readonly code: string; readonly message: string }[],
): { path: string; message: string }[] {
  if (Object.keys(parked).length === 0) return []
  const out = new Map<string, string>()
  for (const w of warnings) {
    const path = w.code === 'INVALID' ? PARKED.exec(w.message)?.[1] : undefined
    if (path !== undefined && !out.has(path) && getAt(parked, splitPath(path)) !== undefined)
      out.set(path, w.message)
  }
  for (const path of flattenLeaves(parked).keys()) {
    if (![...out.keys()].some((p) => p === path || isUnder(path, p)))
      out.set(path, parkedMessage(path, 'it does not fit this schema'))
  }
  return [...out].map(([path, message]) => ({ path, message }))
}

const PARKED = /^the persisted override at (\S+) does not fit this schema/

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

// --- internal ---

function put(
  layers: LayerState,
  node: unknown,
  segments: readonly string[],
  at: number,
  value: unknown,
  owned: Set<object>,
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
  const next = put(layers, child, segments, at + 1, value, owned)
  // Nothing to write or to clear below (a reset of a key nobody overrides): the layer keeps its identity.
  if (next === child && (base === node || next === undefined)) return node
  const out: Record<string, unknown> = owned.has(base)
    ? base
    : copyObject(base, next === undefined ? key : undefined)
  owned.add(out)
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
