import { Buffer } from 'node:buffer'
import { extname, resolve } from 'node:path'
import { ConfigError, issue } from '../errors.ts'
import { type DocumentFormat, documentLocator, parseDocument } from '../formats/parse-document.ts'
import { readBounded, withinBounds } from '../formats/read-bounded.ts'
import type { YamlEditState } from '../formats/yaml-edit.ts'
import { nodeCrypto } from '../node-crypto.ts'
import { secretTest } from '../schema/secret-map.ts'
import type { ConfigSource, SourceContext, SourceData } from '../types.ts'

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
 * A layer read from a YAML or JSON file, again on every reload, unless the reload was handed the file's bytes
 * (`ReloadMeta.contents`, as `watchFiles` does with what it read of a save). The last good read is kept (bytes,
 * data, for YAML the text): a reload that finds the same bytes returns the same layer without parsing, and a YAML
 * save that changed the value on one `key: value` line is read as a path copy of the last data, so untouched
 * subtrees keep their identity and the store's incremental validation skips them.
 *
 * `{environment}` in the path is replaced by the store's environment at each load; a relative path resolves against
 * the working directory at that moment. The file's top level must be a mapping. Everything that makes the file
 * unusable throws a `ConfigError` whose issues name the file (as given, expanded) with the line and column:
 * a missing file (`SOURCE_MISSING`, unless `optional`), a syntax error, a duplicate YAML key, an empty file, invalid
 * UTF-8 (`PARSE_ERROR`), a file over `maxBytes` (`SOURCE_FAILED`), nesting deeper than 100 or a non-finite number
 * (`INVALID`), a `__proto__`, `constructor` or `prototype` key (`FORBIDDEN_KEY`).
 *
 * The layer reports its absolute path in `files` even when an optional file is absent, so a watcher sees it appear,
 * and a content hash as its `version`. An issue the schema finds in a value it supplied names the file, line and column.
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
  let last: LastRead | undefined
  return {
    name: `file:${path}`,
    async load(ctx: SourceContext): Promise<SourceData> {
      const given = path.replaceAll('{environment}', ctx.environment)
      const file = resolve(process.cwd(), given)
      const name = `file:${given}`
      const files = [file]
      const handed = ctx.contents?.get(file)
      const bytes = handed ? withinBounds(handed, given, maxBytes) : await readBounded(file, given, maxBytes)
      if (bytes === undefined) {
        if (optional) return { data: undefined, name, files }
        throw new ConfigError(issue('SOURCE_MISSING', '', `file not found: ${file}`, { source: given }))
      }
      // An unchanged file is the same layer, the same objects: the reload skips its parse and its subtrees.
      if (last?.name === name && last.file === file && Buffer.compare(last.bytes, bytes) === 0)
        return last.loaded
      const previous = last?.file === file ? last.state : undefined
      const read = await parseDocument(bytes, format, given, secretTest(ctx.schema), previous)
      const data = read.value
      let version: string | undefined
      const loaded: SourceData = {
        data,
        name,
        files,
        // Hashed when first read (a reload's history entry), not on every store's way to ready.
        get version() {
          version ??= nodeCrypto().createHash('sha256').update(bytes).digest('hex').slice(0, 16)
          return version
        },
        locate: await documentLocator(bytes, format, given, data),
      }
      last = { name, file, bytes, loaded, state: read.state }
      return loaded
    },
  }
}

// --- internal ---

/** The last good read: a save of the same bytes returns it as it is, a one-value YAML edit starts from it. */
interface LastRead {
  readonly name: string
  readonly file: string
  readonly bytes: Uint8Array
  readonly loaded: SourceData
  readonly state: YamlEditState | undefined
}

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
