import { extname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { z } from 'zod'
import { importOptional, isMissingDependency } from '../../optional-dependency.ts'
import { usage } from '../exit.ts'

/**
 * Imports the schema named by `--schema <module>[#export]`, relative to the working directory. `.ts`, `.mts` and
 * `.cts` modules load through tsx (an optional peer) on every supported Node; `.js` and `.mjs` need nothing. Without
 * `#export` the module's `schema` export is taken, else its default export.
 */
export async function loadSchema(spec: string | undefined): Promise<z.ZodObject> {
  if (!spec) throw usage('--schema <module>[#export] is required: the module that exports the zod schema')
  const hash = spec.lastIndexOf('#')
  const file = hash > 0 ? spec.slice(0, hash) : spec
  const name = hash > 0 ? spec.slice(hash + 1) : undefined
  const url = pathToFileURL(resolve(file)).href
  if (TYPESCRIPT.has(extname(file).toLowerCase())) await registerTsx()
  let module: Record<string, unknown>
  try {
    module = (await import(url)) as Record<string, unknown>
  } catch (error) {
    throw usage(`cannot load the schema module ${file}: ${(error as Error).message ?? String(error)}`)
  }
  const picked = name ?? ('schema' in module ? 'schema' : 'default')
  const schema = module[picked]
  if (!isZodObject(schema)) {
    const exports = Object.keys(module).join(', ') || 'nothing'
    throw usage(
      `${file} has no zod object schema as its "${picked}" export (it exports ${exports}); name one: ${file}#<export>`,
    )
  }
  return schema
}

// --- internal ---

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts'])
let tsxRegistered = false

async function registerTsx(): Promise<void> {
  if (tsxRegistered) return
  try {
    const tsx = await importOptional(() => import('tsx/esm/api'), 'a .ts schema module', ['tsx'])
    tsx.register()
    tsxRegistered = true
  } catch (error) {
    if (!isMissingDependency(error)) throw error
    throw usage(`${error.message} (or point --schema at compiled JavaScript)`)
  }
}

function isZodObject(value: unknown): value is z.ZodObject {
  const def = (value as { _zod?: { def?: { type?: unknown } } } | null)?._zod?.def
  return def?.type === 'object'
}
