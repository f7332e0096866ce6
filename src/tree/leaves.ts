import { decodeTagged, encodeTagged } from '../persist/tagged-json.ts'
import { assocIn } from './patch.ts'
import { isPlainObject, splitPath } from './paths.ts'

/**
 * Every leaf of a layer document as `dotted.path → JSON text`, values tagged (see `encodeTagged`): arrays, empty
 * objects and tombstones are leaves. Two documents hold the same value at a path exactly when the texts are equal.
 */
export function flattenLeaves(doc: Readonly<Record<string, unknown>>): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (node: Readonly<Record<string, unknown>>, at: string) => {
    for (const [key, value] of Object.entries(node)) {
      if (value === undefined) continue
      const path = at === '' ? key : `${at}.${key}`
      if (isPlainObject(value) && Object.keys(value).length > 0) walk(value, path)
      else out.set(path, JSON.stringify(encodeTagged(value)))
    }
  }
  walk(doc, '')
  return out
}

/** The document `flattenLeaves` came from. */
export function treeOfLeaves(leaves: ReadonlyMap<string, string>): Record<string, unknown> {
  let doc: Record<string, unknown> = {}
  for (const [path, text] of leaves) doc = assocIn(doc, splitPath(path), decodeTagged(JSON.parse(text)))
  return doc
}
