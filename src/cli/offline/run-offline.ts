import { ConfigError } from '../../errors.ts'
import type { ConfigIssue } from '../../types.ts'
import { type FlagValues, parseCommandArgs, positionals as positionalsOf, stringFlag } from '../args.ts'
import { EXIT, usage } from '../exit.ts'
import { type CliIo, paint } from '../io.ts'
import { type FileLayers, openFiles } from './open-files.ts'
import { printSchema } from './print-schema.ts'

/** Runs an offline command: `check`, `schema` or `explain`. */
export async function runOffline(name: string, args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, FLAGS)
  const json = values.json === true
  try {
    if (name === 'schema') {
      positionalsOf(positionals, 0, 0, '')
      const schema = {
        schema: stringFlag(values, 'schema'),
        io: stringFlag(values, 'io'),
        out: stringFlag(values, 'out'),
      }
      await printSchema(io, { ...schema, partial: values.partial === true })
      return EXIT.ok
    }
    if (name !== 'explain') return await check(io, layersOf(values, positionals), json)
    const path = positionals.at(-1)
    if (positionals.length < 2 || path === undefined)
      throw usage('name the config files, then the path to explain')
    return await explain(io, layersOf(values, positionals.slice(0, -1)), path, json)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    // Bad options and missing packages are set-up errors; the rest is what the files hold.
    if (error.code === 'BAD_OPTIONS' || error.code === 'MISSING_DEPENDENCY') throw usage(error.message)
    printIssues(io, error.issues, json)
    return EXIT.failed
  }
}

// --- internal ---

const FLAGS = {
  schema: { type: 'string' },
  env: { type: 'string' },
  'env-vars': { type: 'string' },
  json: { type: 'boolean' },
  io: { type: 'string' },
  partial: { type: 'boolean' },
  out: { type: 'string' },
} as const

function layersOf(values: FlagValues, files: readonly string[]): FileLayers {
  return {
    schema: stringFlag(values, 'schema'),
    files,
    environment: stringFlag(values, 'env') || process.env.NODE_ENV || 'development',
    envPrefix: stringFlag(values, 'env-vars'),
  }
}

/** Exit 0 when the files make a valid config, 1 with one `file:line:col  path message` line per issue. */
async function check(io: CliIo, layers: FileLayers, json: boolean): Promise<number> {
  const warnings: string[] = []
  await (await openFiles(layers, warnings)).close()
  for (const w of warnings) io.err(`warning: ${w}`)
  io.out(
    json
      ? JSON.stringify({ ok: true, issues: [], warnings }, null, 2)
      : `ok: ${layers.files.join(', ')} (environment ${layers.environment})`,
  )
  return EXIT.ok
}

function printIssues(io: CliIo, issues: readonly ConfigIssue[], json: boolean): void {
  if (json) io.out(JSON.stringify({ ok: false, issues }, null, 2))
  else for (const i of issues) io.out(`${paint(io, 'bold', whereOf(i))}  ${i.path || '(root)'} ${i.message}`)
}

/** Which layer gives `path` its value, and the values it shadows; secrets redacted. */
async function explain(io: CliIo, layers: FileLayers, path: string, json: boolean): Promise<number> {
  const store = await openFiles(layers, [])
  try {
    const found = store.explain(path as never)
    const shown = {
      ...found,
      value: store.redact(found.value, path),
      shadowed: found.shadowed.map((s) => ({ layer: s.layer, value: store.redact(s.value, path) })),
    }
    if (json) io.out(JSON.stringify(shown, null, 2))
    else {
      io.out(`${path} = ${JSON.stringify(shown.value)}  from ${shown.layer}`)
      for (const s of shown.shadowed) io.out(`  shadows ${JSON.stringify(s.value)}  from ${s.layer}`)
    }
    return EXIT.ok
  } finally {
    await store.close()
  }
}

function whereOf(i: ConfigIssue): string {
  if (i.source === undefined) return '(config)'
  if (i.line === undefined) return i.source
  return `${i.source}:${i.line}${i.column === undefined ? '' : `:${i.column}`}`
}
