import { resolve } from 'node:path'
import { ConfigError, issue } from '../errors.ts'
import { readExpiries } from '../expiries.ts'
import { readProbation } from '../probation.ts'
import { findForbiddenKeys } from '../tree/forbidden.ts'
import { flattenLeaves, treeOfLeaves } from '../tree/leaves.ts'
import { isPlainObject } from '../tree/paths.ts'
import type {
  BackendContext,
  OverridesBackend,
  PersistedExpiry,
  PersistedOverrides,
  PersistedProbation,
} from '../types.ts'
import { holds, type Isolation, scopesOf } from './conflict-scope.ts'
import { contentHash } from './content-hash.ts'
import { withFileLock } from './file-lock.ts'
import { createJsonFile, jsonText } from './json-file.ts'

/** Options of `fileOverrides`. */
export interface FileOverridesOptions {
  /** Which concurrent writes of other processes to the same file conflict; see `Isolation`. @default 'object' */
  readonly isolation?: Isolation
  /** A lock older than this whose holder may still run is taken over; see `withFileLock`. @default 10000 */
  readonly staleLockMs?: number
}

/**
 * Runtime overrides in a JSON file, written atomically (temp file, fsync, rename, fsync the directory), owner-only:
 *
 * ```json
 * { "hotconf": 1, "revision": 7, "updatedAt": "2025-01-01T00:00:00.000Z", "environment": "production",
 *   "overrides": { "pool": { "max": 30 } },
 *   "expiries": { "pool.max": { "at": "2025-01-01T01:00:00.000Z", "revision": 7, "actor": "ops" } } }
 * ```
 *
 * `expiries` (the deadlines of expiring overrides) is present only when some override expires; a version of hotconf
 * without it ignores the field, and its overrides then simply do not expire.
 *
 * It holds only the overridden paths; a key deleted at runtime that a lower layer sets is `{ "$hotconf": "deleted" }`,
 * and values JSON cannot hold (dates, bigints, ...) are tagged the same way (see `encodeTagged`). A missing file
 * means no overrides. A corrupt one (not JSON, truncated, a wrong shape, another format version, or a `__proto__` /
 * `constructor` / `prototype` key anywhere) is moved aside to `<name>.corrupt-<time>` and reported, and the store
 * starts from the other layers.
 *
 * Several processes may share the file. `save` is a compare-and-swap under an advisory lock (`<file>.lock`, see
 * `withFileLock`): it reads the file, and when another writer changed a path in the conflict scope (`isolation`) of
 * what this store changes since it last read or wrote the file, nothing is written and `save` throws a
 * `ConfigError` `STALE_REVISION` at that path (the store rolls back; reload and retry). Otherwise the other writers'
 * changes are kept and this store's changes are merged over them, so no committed write is lost; the `revision`
 * written is past both. A save whose file then holds exactly this store's overrides returns the content hash as
 * its version, which `watchFiles` uses to recognise the store's own write; a merged write returns none, so the
 * watcher reloads and the store converges on the file. A file that cannot be read at all (a FIFO, over the size
 * limit) has nothing to merge and is replaced by this store's document. Any other failure rejects with the original error
 * (`PERSIST_FAILED`) and leaves the file as it was.
 * @example createConfigStore({ schema, overrides: { backend: fileOverrides('.hotconf/overrides.json') } })
 */
export function fileOverrides(path: string, options: FileOverridesOptions = {}): OverridesBackend {
  const { isolation = 'object', staleLockMs = 10_000 } = options
  const absolute = resolve(path)
  const file = createJsonFile(absolute, { parse: parseOverrides })
  // What this store's overrides are based on: the leaves as it last read or wrote them.
  let baseline = new Map<string, string>()
  let report: BackendContext['report'] = () => {}

  async function save(doc: PersistedOverrides): Promise<{ version?: string }> {
    const ours = flattenLeaves(doc.overrides)
    // A file that cannot be read (not a regular file, too large) holds nothing to merge: it is replaced, as before.
    const read = await file.read(report).then(
      (doc) => ({ doc }),
      () => undefined,
    )
    const disk = read?.doc
    const theirs = read ? flattenLeaves(disk?.overrides ?? {}) : baseline
    const mine = changedPaths(baseline, ours)
    const scopes = scopesOf(mine, isolation)
    const stale = changedPaths(baseline, theirs).filter(
      (p) => scopes.some((s) => holds(s, p)) || mine.some((m) => nested(m, p)),
    )
    if (stale.length > 0) {
      throw new ConfigError(
        stale.map((p) =>
          issue(
            'STALE_REVISION',
            p,
            `${absolute}: another writer changed ${p} since this store read it; reload and retry`,
            {
              source: absolute,
            },
          ),
        ),
      )
    }
    const merged = new Map(theirs)
    for (const p of mine) {
      const text = ours.get(p)
      if (text === undefined) merged.delete(p)
      else merged.set(p, text)
    }
    const own = sameLeaves(merged, ours)
    const written = {
      hotconf: FORMAT,
      revision: Math.max(doc.revision, (disk?.revision ?? 0) + 1),
      updatedAt: doc.updatedAt,
      environment: doc.environment,
      overrides: own ? doc.overrides : treeOfLeaves(merged),
      // This store's deadlines: another writer's are dropped with its merged leaves (they then do not expire).
      ...(doc.expiries ? { expiries: doc.expiries } : {}),
      ...(doc.probation ? { probation: doc.probation } : {}),
    }
    await file.write(written)
    baseline = ours
    return own ? { version: contentHash(jsonText(written)) } : {}
  }

  return {
    name: `file:${path}`,
    files: [absolute],
    async load(ctx) {
      report = ctx.report
      const doc = await file.read(ctx.report)
      baseline = flattenLeaves(doc?.overrides ?? {})
      return doc
    },
    save: (doc) => withFileLock(`${absolute}.lock`, () => save(doc), { staleMs: staleLockMs }),
  }
}

// --- internal ---

/** The `hotconf` field: the layout of the document, bumped only by an incompatible change. */
const FORMAT = 1

/** The stored document; `hotconf` is absent only from files written by hand. */
type OverridesDocument = PersistedOverrides & { readonly hotconf?: number }

function parseOverrides(raw: Record<string, unknown>): OverridesDocument {
  const forbidden = findForbiddenKeys(raw)[0]
  if (forbidden) throw new Error(`${forbidden.message} (at ${forbidden.path})`)
  const { hotconf = FORMAT, revision, updatedAt = '', environment = '', overrides, expiries, probation } = raw
  if (hotconf !== FORMAT)
    throw new Error(`"hotconf" is ${String(hotconf)}, this version reads format ${FORMAT}`)
  if (!Number.isSafeInteger(revision) || (revision as number) < 0) {
    throw new Error('"revision" must be a non-negative integer')
  }
  if (typeof updatedAt !== 'string') throw new Error('"updatedAt" must be a string')
  if (typeof environment !== 'string') throw new Error('"environment" must be a string')
  if (!isPlainObject(overrides)) throw new Error('"overrides" must be an object')
  const doc = { hotconf: FORMAT, revision: revision as number, updatedAt, environment, overrides }
  // Checked here, so a malformed one makes the file corrupt (moved aside) rather than failing the store later.
  if (expiries !== undefined) readExpiries(expiries)
  if (probation !== undefined) readProbation(probation)
  return {
    ...doc,
    ...(expiries === undefined ? {} : { expiries: expiries as Record<string, PersistedExpiry> }),
    ...(probation === undefined ? {} : { probation: probation as Record<string, PersistedProbation> }),
  }
}

/** The leaf paths whose value differs between two flattened documents (added, changed or removed). */
function changedPaths(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const out: string[] = []
  for (const [p, text] of after) if (before.get(p) !== text) out.push(p)
  for (const p of before.keys()) if (!after.has(p)) out.push(p)
  return out
}

/** One path lies strictly below the other: writing both would build one tree from two shapes. */
function nested(a: string, b: string): boolean {
  return a.startsWith(`${b}.`) || b.startsWith(`${a}.`)
}

function sameLeaves(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false
  for (const [p, text] of a) if (b.get(p) !== text) return false
  return true
}
