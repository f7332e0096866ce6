import { decodeTagged, FORBIDDEN_KEYS, flattenLeaves, isPlainObject, splitPath } from '../adapter-kit.ts'
import { issue } from '../errors.ts'
import type { ConfigIssue } from '../types.ts'

/**
 * Builds a layer document from `[dotted.path, text]` leaves, as the shared backends (etcd keys, PostgreSQL rows)
 * store them. Text is JSON (tagged values decoded); text that is not JSON is taken as a string, so an operator's
 * `etcdctl put app/config/log.level debug` works without quotes. A path that could reach `Object.prototype` (or is
 * empty) is left out and returned as a `FORBIDDEN_KEY` issue naming where it is stored: `` `${kind} '${where(path)}'` ``.
 * @internal
 */
export function buildLayer(
  leaves: Iterable<readonly [path: string, text: string]>,
  where: (path: string) => string,
  kind: string,
): { doc: Record<string, unknown>; issues: ConfigIssue[] } {
  const doc: Record<string, unknown> = {}
  const issues: ConfigIssue[] = []
  for (const [path, text] of leaves) {
    const segments = splitPath(path)
    if (segments.length === 0 || segments.some((s) => s === '' || FORBIDDEN_KEYS.has(s))) {
      const source = where(path)
      issues.push(issue('FORBIDDEN_KEY', path, `${kind} '${source}' is not a usable config path`, { source }))
      continue
    }
    let node = doc
    for (const segment of segments.slice(0, -1)) {
      const next = node[segment]
      if (!isPlainObject(next)) node[segment] = {}
      node = node[segment] as Record<string, unknown>
    }
    node[segments.at(-1)!] = decodeValue(text)
  }
  return { doc, issues }
}

/** Same leaves (path and text) in both, so a reload can hand back the document it already gave. @internal */
export function sameLeaves(
  a: ReadonlyMap<string, { readonly text: string }>,
  b: ReadonlyMap<string, { readonly text: string }>,
): boolean {
  if (a.size !== b.size) return false
  for (const [path, leaf] of a) if (b.get(path)?.text !== leaf.text) return false
  return true
}

/** The leaves a save must write (changed or new) and delete (reset), against what the backend last read or wrote. @internal */
export function leafChanges(
  overrides: Readonly<Record<string, unknown>>,
  baseline: ReadonlyMap<string, { readonly text: string }>,
): { puts: [path: string, text: string][]; deletes: string[] } {
  const next = flattenLeaves(overrides)
  return {
    puts: [...next].filter(([path, text]) => baseline.get(path)?.text !== text),
    deletes: [...baseline.keys()].filter((path) => !next.has(path)),
  }
}

// --- internal ---

function decodeValue(text: string): unknown {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return text
  }
  return decodeTagged(parsed)
}
