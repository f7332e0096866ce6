import { fail } from './problem.ts'

/**
 * The strong ETag of a revision of one store instance: `"<incarnation>-<revision>"`. The incarnation is random per
 * store object (so every admin app over it agrees), which makes an ETag from another process, an earlier run of
 * this one or another instance never match here, even where revisions repeat.
 */
export function etagOf(store: object, revision: number): string {
  return `"${incarnationOf(store)}-${revision}"`
}

/**
 * The revision an `If-Match` header requires, `undefined` for `*` or no header. Comparison is strong: a weak tag,
 * a tag of another incarnation or anything else names no revision of this config, so 412 before the store is asked.
 * Of a list, the tag of the live revision wins (the store checks it again when it commits).
 */
export function ifMatchRevision(
  store: { readonly revision: number },
  header: string | undefined,
): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined
  const prefix = `"${incarnationOf(store)}-`
  const revisions: number[] = []
  for (const tag of header.split(',').map((t) => t.trim())) {
    if (!tag.startsWith(prefix) || !tag.endsWith('"')) continue
    const revision = tag.slice(prefix.length, -1)
    if (/^\d{1,15}$/.test(revision)) revisions.push(Number(revision))
  }
  const [first] = revisions
  if (first === undefined) {
    fail(412, 'STALE_REVISION', `If-Match ${header.slice(0, 60)} names no revision of this config`)
  }
  return revisions.includes(store.revision) ? store.revision : first
}

/** True when an `If-None-Match` header matches `etag` (weak comparison, lists and `*` as RFC 9110 says): 304. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  if (header.trim() === '*') return true
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
}

// --- internal ---

const incarnations = new WeakMap<object, string>()

function incarnationOf(store: object): string {
  let id = incarnations.get(store)
  if (id === undefined) {
    const bytes = crypto.getRandomValues(new Uint8Array(8))
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
    incarnations.set(store, id)
  }
  return id
}
