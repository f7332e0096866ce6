import { resolve } from 'node:path'
import { findForbiddenKeys } from '../tree/patch.ts'
import { isPlainObject } from '../tree/paths.ts'
import type { OverridesBackend, PersistedOverrides } from '../types.ts'
import { createJsonFile } from './json-file.ts'

/**
 * Runtime overrides in a JSON file, written atomically (temp file, fsync, rename, fsync the directory). It holds
 * only the overridden paths plus `{ revision, updatedAt, environment }`. A missing file means no overrides; a
 * corrupt one is moved aside and reported, and the store starts from the other layers.
 * @example createConfigStore({ schema, overrides: { file: '.hotconf/overrides.json' } })
 */
export function fileOverrides(path: string): OverridesBackend {
  const absolute = resolve(path)
  const file = createJsonFile<PersistedOverrides & { readonly hotconf?: number }>(absolute, parseOverrides)
  return {
    name: `file:${path}`,
    files: [absolute],
    load: (ctx) => file.read(ctx.report),
    async save(doc) {
      await file.write({ hotconf: 1, ...doc })
    },
  }
}

// --- internal ---

function parseOverrides(raw: unknown): PersistedOverrides {
  if (!isPlainObject(raw)) throw new Error('not a JSON object')
  const { overrides, revision, updatedAt, environment } = raw
  if (!isPlainObject(overrides)) throw new Error('"overrides" must be an object')
  if (typeof revision !== 'number' || !Number.isInteger(revision))
    throw new Error('"revision" must be an integer')
  const forbidden = findForbiddenKeys(overrides, 'overrides')
  if (forbidden.length > 0) throw new Error(`forbidden key at ${forbidden[0]!.path}`)
  return {
    overrides,
    revision,
    updatedAt: typeof updatedAt === 'string' ? updatedAt : '',
    environment: typeof environment === 'string' ? environment : '',
  }
}
