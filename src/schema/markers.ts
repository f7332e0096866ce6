import { z } from 'zod'
import { type AnySchema, childSchema, defOf, unwrap, wrapperChain } from './shape.ts'

interface Marks {
  readonly restart?: true
  readonly secret?: true
}

// A private registry: marks stay on the schema objects without touching the host app's zod globals.
const marks = z.registry<Marks>()

/**
 * Marks a key that cannot change while the process runs (a listen port, a pool's driver).
 * A runtime update that changes it is `rejected` with `RESTART_REQUIRED`; a reload lists it under `pendingRestart`.
 * @example server: z.object({ port: restart(z.number().int()).default(8080) })
 */
export function restart<TSchema extends z.ZodType>(schema: TSchema): TSchema {
  marks.add(schema, { ...marks.get(schema), restart: true })
  return schema
}

/**
 * Marks a key whose value is never shown: change records, history, events, errors, logs and the admin API
 * print `'[redacted]'`. `store.current` and `store.get()` still return the real value. Works in any position (array
 * items, tuples, unions, record values, `lazy`, inside or outside wrappers); a secret object hides everything in it,
 * and a value a `.transform()` computes from a secret is secret as a whole. A secret record key cannot be hidden
 * (keys are paths): `createConfigStore` refuses it with `BAD_OPTIONS`.
 * @example apiKey: secret(z.string()).optional()
 */
export function secret<TSchema extends z.ZodType>(schema: TSchema): TSchema {
  marks.add(schema, { ...marks.get(schema), secret: true })
  return schema
}

/** True when `mark` sits on this very schema (or on the one it was derived from by `.refine()`, `.min()`, ...). */
export function isMarked(schema: AnySchema, mark: keyof Marks): boolean {
  return marks.get(schema as z.ZodType)?.[mark] === true
}

/** The marked paths of a schema; `*` stands for any key of a record. Secrets have their own map (`secretMap`). */
export interface MarkedPaths {
  readonly restart: readonly string[]
}

/** Walks the schema once and lists where the `restart` marks sit. */
export function markedPaths(schema: AnySchema): MarkedPaths {
  const found = { restart: [] as string[] }
  collect(schema, '', found, new Set())
  return found
}

// --- internal ---

function collect(schema: AnySchema, path: string, found: { restart: string[] }, seen: Set<AnySchema>) {
  if (seen.has(schema)) return
  seen.add(schema)
  if (wrapperChain(schema).some((s) => isMarked(s, 'restart')) && !found.restart.includes(path))
    found.restart.push(path)
  const def = defOf(unwrap(schema))
  const join = (key: string) => (path === '' ? key : `${path}.${key}`)
  if (def.type === 'object' && def.shape) {
    for (const key of Object.keys(def.shape)) collect(def.shape[key]!, join(key), found, seen)
    if (def.catchall) collect(def.catchall, join('*'), found, seen)
  } else if (def.type === 'record') {
    const value = childSchema(schema, '*')
    if (value) collect(value, join('*'), found, seen)
  }
  seen.delete(schema)
}
