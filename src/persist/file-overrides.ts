import { resolve } from 'node:path'
import { findForbiddenKeys } from '../tree/forbidden.ts'
import { isPlainObject } from '../tree/paths.ts'
import type { OverridesBackend, PersistedOverrides } from '../types.ts'
import { createJsonFile } from './json-file.ts'

/**
 * Runtime overrides in a JSON file, written atomically (temp file, fsync, rename, fsync the directory), owner-only:
 *
 * ```json
 * { "hotconf": 1, "revision": 7, "updatedAt": "2025-01-01T00:00:00.000Z", "environment": "production",
 *   "overrides": { "pool": { "max": 30 } } }
 * ```
 *
 * It holds only the overridden paths; a key deleted at runtime that a lower layer sets is `{ "$hotconf": "deleted" }`,
 * and values JSON cannot hold (dates, bigints, ...) are tagged the same way (see `encodeTagged`). A missing file means no overrides. A corrupt one (not JSON, truncated, a
 * wrong shape, another format version, or a `__proto__` / `constructor` / `prototype` key anywhere) is moved aside
 * to `<name>.corrupt-<time>` and reported, and the store starts from the other layers. `save` rejects with the
 * original error (the store turns it into `PERSIST_FAILED` and rolls back) and leaves the file as it was.
 * @example createConfigStore({ schema, overrides: { backend: fileOverrides('.hotconf/overrides.json') } })
 */
export function fileOverrides(path: string): OverridesBackend {
  const absolute = resolve(path)
  const file = createJsonFile(absolute, { parse: parseOverrides })
  return {
    name: `file:${path}`,
    files: [absolute],
    load: (ctx) => file.read(ctx.report),
    async save({ revision, updatedAt, environment, overrides }) {
      await file.write({
        hotconf: FORMAT,
        revision,
        updatedAt,
        environment,
        overrides,
      })
    },
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
  const { hotconf = FORMAT, revision, updatedAt = '', environment = '', overrides } = raw
  if (hotconf !== FORMAT)
    throw new Error(`"hotconf" is ${String(hotconf)}, this version reads format ${FORMAT}`)
  if (!Number.isSafeInteger(revision) || (revision as number) < 0) {
    throw new Error('"revision" must be a non-negative integer')
  }
  if (typeof updatedAt !== 'string') throw new Error('"updatedAt" must be a string')
  if (typeof environment !== 'string') throw new Error('"environment" must be a string')
  if (!isPlainObject(overrides)) throw new Error('"overrides" must be an object')
  return { hotconf: FORMAT, revision: revision as number, updatedAt, environment, overrides }
}
