import type { z } from 'zod'
import { ConfigError, issue } from '../errors.ts'
import { unpersistableAt } from '../schema/persistable.ts'
import { isPlainObject } from '../tree/paths.ts'
import type { ConfigStoreOptions } from '../types.ts'

/** Refuses options `createConfigStore` cannot start with (`BAD_OPTIONS`), before anything is read. */
export function checkOptions(
  options: ConfigStoreOptions<z.ZodObject>,
  numbers: Record<string, number>,
): void {
  const bad = (path: string, message: string) => {
    throw new ConfigError(issue('BAD_OPTIONS', path, message))
  }
  if (!options || typeof options !== 'object')
    bad('', 'createConfigStore needs an options object with a schema')
  const schema: ZodLike = Object(options.schema)
  const built = schema._zod?.version
  if (!schema._zod && schema._def)
    bad('schema', `schema is a zod 3 schema (zod 3 or zod/v3); hotconf needs zod ${ZOD_RANGE}`)
  if (built && !supportedZod(built)) {
    const { major, minor, patch } = built
    bad('schema', `schema was built by zod ${major}.${minor}.${patch}; hotconf needs zod ${ZOD_RANGE}`)
  }
  if (!built || schema._zod?.def?.type !== 'object')
    bad('schema', 'schema must be a zod object schema, e.g. z.object({ ... })')
  const persisted = options.overrides !== undefined || options.lastKnownGood === true
  const odd = persisted ? unpersistableAt(options.schema) : undefined
  if (odd) {
    bad(
      `schema.${odd.path}`,
      `a z.${odd.type}() value at ${odd.path} cannot be persisted (overrides, snapshots, last known good): use a type JSON can hold, or a date, bigint, map or set`,
    )
  }
  if (options.initial !== undefined && !isPlainObject(options.initial))
    bad('initial', 'initial must be a plain object')
  checkProbation(options.probation, bad)
  for (const [key, value] of Object.entries(numbers)) {
    if (!Number.isInteger(value) || value < 1)
      bad(key, `${key} must be an integer >= 1, got ${String(value)}`)
  }
}

function checkProbation(
  probation: ConfigStoreOptions<z.ZodObject>['probation'],
  bad: (path: string, message: string) => never,
): void {
  if (probation === undefined) return
  const { checks = {}, everyMs, forMs, sources = [] } = probation
  for (const [key, value] of Object.entries({ everyMs, forMs })) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1))
      bad(`probation.${key}`, `probation.${key} must be an integer >= 1, got ${String(value)}`)
  }
  if (!Array.isArray(sources) || sources.some((s) => typeof s !== 'string'))
    bad('probation.sources', 'probation.sources must be an array of source names, e.g. ["http", "file"]')
  if (sources.length > 0 && forMs === undefined)
    bad(
      'probation.forMs',
      'probation.sources needs probation.forMs: how long their changes stay on probation',
    )
  if (typeof checks !== 'object' || checks === null)
    bad('probation.checks', 'probation.checks must be an object of named functions, or a list of functions')
  for (const [name, check] of Object.entries(checks)) {
    if (typeof check !== 'function')
      bad(`probation.checks.${name}`, `probation.checks.${name} must be a function returning a boolean`)
  }
}

/** The oldest zod the suite passes with; package.json's `peerDependencies.zod` says the same. */
const ZOD_MIN: ZodVersion = { major: 4, minor: 5, patch: 0 }
const ZOD_RANGE = `^${ZOD_MIN.major}.${ZOD_MIN.minor}.${ZOD_MIN.patch}`

interface ZodVersion {
  readonly major: number
  readonly minor: number
  readonly patch: number
}

/** What any value may say about the zod that built it: zod 4 schemas carry `_zod`, zod 3 ones only `_def`. */
interface ZodLike {
  readonly _zod?: { readonly def?: { readonly type?: unknown }; readonly version?: ZodVersion }
  readonly _def?: unknown
}

/** Within the peer range: ZOD_MIN's major, and not older than ZOD_MIN. */
function supportedZod({ major, minor, patch }: ZodVersion): boolean {
  if (major !== ZOD_MIN.major) return false
  return minor === ZOD_MIN.minor ? patch >= ZOD_MIN.patch : minor > ZOD_MIN.minor
}
