import { ConfigError, issue } from '../../errors.ts'
import type { ConfigIssue } from '../../types.ts'
import { buildLayer } from '../leaf-layer.ts'

/**
 * Where a layer lives in etcd: one key per leaf, `<prefix>/<dotted.path>`, holding the leaf's JSON
 * (`app/config/pool.max` → `20`). Arrays and empty objects are leaves. @internal
 */
export interface KeyLayout {
  /** `<prefix>/`: every key of the layer starts with it. */
  readonly root: string
  /** The key holding the leaf at a dotted path. */
  key(path: string): string
  /** The dotted path a key holds, or `undefined` for a key outside the layer. */
  path(key: string): string | undefined
  /**
   * `<prefix>` itself: who last wrote the layer, and when. It lies outside the leaf range, so writing it never
   * makes two saves conflict and watching the leaves does not see it.
   */
  readonly metaKey: string
}

/** The layout of a layer under `prefix` (a trailing `/` is optional). @internal */
export function keyLayout(prefix: string, owner: string): KeyLayout {
  const trimmed = trimPrefix(prefix, owner)
  const root = `${trimmed}/`
  return {
    root,
    metaKey: trimmed,
    key: (path) => root + path,
    path: (key) => (key.startsWith(root) ? key.slice(root.length) : undefined),
  }
}

/** The prefix without trailing `/`; throws `BAD_OPTIONS` when nothing is left (watching all of etcd is a mistake). @internal */
export function trimPrefix(prefix: string, owner: string): string {
  const trimmed = typeof prefix === 'string' ? prefix.replace(/\/+$/, '') : ''
  if (trimmed === '') {
    throw new ConfigError(
      issue('BAD_OPTIONS', 'prefix', `${owner} needs a non-empty prefix, e.g. 'myapp/config'`),
    )
  }
  return trimmed
}

/** The etcd range `[prefix, prefix + 1)` holding every key that starts with `prefix`. @internal */
export function prefixRange(prefix: string): { key: Buffer; range_end: Buffer } {
  return { key: Buffer.from(prefix), range_end: prefixEnd(prefix) }
}

/** The layer document of `[dotted.path, text]` leaves, each problem naming its etcd key; see `buildLayer`. @internal */
export function etcdLayer(
  leaves: Iterable<readonly [path: string, text: string]>,
  layout: KeyLayout,
): { doc: Record<string, unknown>; issues: ConfigIssue[] } {
  return buildLayer(leaves, layout.key, 'etcd key')
}

/** The leaves of a range response as `[dotted.path, text]`. @internal */
export function* leavesOf(
  kvs: readonly { readonly key: Buffer; readonly value: Buffer }[],
  layout: KeyLayout,
): Generator<[path: string, text: string]> {
  for (const kv of kvs) {
    const path = layout.path(kv.key.toString())
    if (path !== undefined) yield [path, kv.value.toString()]
  }
}

// --- internal ---

/** The first key after every key that starts with `prefix` (etcd's `range_end` convention). */
function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix)
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1
      return end.subarray(0, i + 1)
    }
  }
  return Buffer.from([0])
}
