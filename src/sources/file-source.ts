import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { extname, resolve } from 'node:path'
import { ConfigError, issue } from '../errors.ts'
import { messageOf } from '../layers.ts'
import type { ConfigSource, SourceContext, SourceData } from '../types.ts'
import { type DocumentFormat, parseDocument } from './parse-document.ts'

/** Options of `fileSource`. */
export interface FileSourceOptions {
  /** An absent file is an absent layer (`data: undefined`) instead of an error. @default false */
  readonly optional?: boolean
  /** How to read the file. @default `json` for `.json`, `yaml` for `.yaml` and `.yml` */
  readonly format?: DocumentFormat
  /** A larger file is refused (`SOURCE_FAILED`) before it is parsed. @default 10 MiB */
  readonly maxBytes?: number
}

/**
 * A layer read from a YAML or JSON file, again on every reload.
 *
 * `{environment}` in the path is replaced by the store's environment at each load; a relative path resolves against
 * the working directory at that moment. The file's top level must be a mapping. Everything that makes the file
 * unusable throws a `ConfigError` whose issues name the file (as given, expanded) with the line and column:
 * a missing file (`SOURCE_MISSING`, unless `optional`), a syntax error, a duplicate YAML key, an empty file, invalid
 * UTF-8 (`PARSE_ERROR`), a file over `maxBytes` (`SOURCE_FAILED`), nesting deeper than 100 or a non-finite number
 * (`INVALID`), a `__proto__`, `constructor` or `prototype` key (`FORBIDDEN_KEY`).
 *
 * The layer reports its absolute path in `files` even when an optional file is absent, so a watcher sees it appear,
 * and a content hash as its `version`.
 *
 * @example
 * const store = await createConfigStore({
 *   schema,
 *   sources: [fileSource('config/default.yaml'), fileSource('config/{environment}.yaml', { optional: true })],
 * })
 */
export function fileSource(path: string, options: FileSourceOptions = {}): ConfigSource {
  const { optional = false, maxBytes = 10 * 1024 * 1024 } = options
  const format = checkOptions(path, options, maxBytes)
  return {
    name: `file:${path}`,
    async load(ctx: SourceContext): Promise<SourceData> {
      const given = path.replaceAll('{environment}', ctx.environment)
      const file = resolve(process.cwd(), given)
      const name = `file:${given}`
      const files = [file]
      const bytes = await readBounded(file, given, maxBytes)
      if (bytes === undefined) {
        if (optional) return { data: undefined, name, files }
        throw new ConfigError(issue('SOURCE_MISSING', '', `file not found: ${file}`, { source: given }))
      }
      const data = parseDocument(bytes, format, given)
      const version = createHash('sha256').update(bytes).digest('hex').slice(0, 16)
      return { data, name, files, version }
    },
  }
}

// --- internal ---

const FORMATS: Readonly<Record<string, DocumentFormat>> = { '.json': 'json', '.yaml': 'yaml', '.yml': 'yaml' }

function checkOptions(path: string, options: FileSourceOptions, maxBytes: number): DocumentFormat {
  const bad = (message: string) => new ConfigError(issue('BAD_OPTIONS', '', `fileSource: ${message}`))
  if (typeof path !== 'string' || path.trim() === '') throw bad('the path must be a non-empty string')
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw bad('maxBytes must be a positive integer')
  const format = options.format ?? FORMATS[extname(path).toLowerCase()]
  if (format !== 'json' && format !== 'yaml') {
    throw bad(`cannot tell the format of "${path}": name it .json, .yaml or .yml, or pass { format: 'yaml' }`)
  }
  return format
}

/**
 * The file's bytes, or `undefined` when there is no file (or a path component is a file). Refuses what is not a
 * regular file (a FIFO would block the read forever) or is larger than `maxBytes`, and what cannot be read, with a
 * `ConfigError` `SOURCE_FAILED` whose issue names `source`. Also reads the store's own JSON files.
 */
export async function readBounded(
  file: string,
  source: string,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  const failed = (message: string, cause?: unknown) =>
    new ConfigError(issue('SOURCE_FAILED', '', message, { source }), { cause })
  let bytes: Uint8Array
  try {
    // Checked before opening: reading a FIFO would block, a huge file would fill memory.
    const info = await stat(file)
    if (!info.isFile()) throw failed(`${file} is not a regular file`)
    if (info.size > maxBytes) throw failed(tooLarge(info.size, maxBytes))
    bytes = await readFile(file)
  } catch (error) {
    if (error instanceof ConfigError) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw failed(`cannot read ${file}: ${messageOf(error)}`, error)
  }
  // The file may have grown between the check and the read.
  if (bytes.byteLength > maxBytes) throw failed(tooLarge(bytes.byteLength, maxBytes))
  return bytes
}

function tooLarge(size: number, maxBytes: number): string {
  return `the file has ${size} bytes, more than maxBytes (${maxBytes})`
}
