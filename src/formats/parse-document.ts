import { ConfigError, issue } from '../errors.ts'
import { findForbiddenKeys } from '../tree/forbidden.ts'
import { getAt, isPlainObject, joinPath, splitPath } from '../tree/paths.ts'
import type { ConfigIssue, ValueOrigin } from '../types.ts'
import { jsonLocator, type Locate, MAX_DEPTH, parseJson, type SecretTest, TOO_DEEP } from './parse-json.ts'
import type { YamlEditState } from './yaml-edit.ts'

/** The formats a file source reads. */
export type DocumentFormat = 'yaml' | 'json'

/** A document read into data and, for YAML, what the next read of the same file may start from (`editYaml`). */
export interface ReadDocument {
  readonly value: Record<string, unknown>
  readonly state?: YamlEditState
}

/**
 * Reads a config file's bytes into plain data (`{}` objects, arrays, strings, finite numbers, booleans, null).
 * Throws a `ConfigError` listing every problem found, each with `source` and, where known, line and column:
 * - `PARSE_ERROR`: invalid UTF-8, an empty or whitespace-only file (a truncate-then-write in progress must never
 *   become an empty layer), a syntax error, a duplicate YAML key, an alias bomb, a top level that is not a mapping;
 * - `INVALID`: nesting deeper than 100 levels, a number that is not finite (YAML `.inf`, `.nan`, JSON `1e999`);
 * - `FORBIDDEN_KEY`: `__proto__`, `constructor` or `prototype` anywhere, with the dotted path.
 *
 * A UTF-8 byte order mark is skipped. Syntax errors in values at paths `isSecret` accepts do not quote the text.
 * The YAML reader (and the `yaml` package) is loaded on the first YAML document, not by `import 'hotconf'`.
 * Given the `state` of the last good read of the same YAML file, a text that differs from it in one `key: value`
 * line only is read as a path copy of that read (`editYaml`): untouched subtrees keep their identity.
 */
export async function parseDocument(
  bytes: Uint8Array,
  format: DocumentFormat,
  source: string,
  isSecret?: SecretTest,
  previous?: YamlEditState,
): Promise<ReadDocument> {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch (error) {
    throw new ConfigError(issue('PARSE_ERROR', '', 'the file is not valid UTF-8', { source }), {
      cause: error,
    })
  }
  if (text.trim() === '') throw new ConfigError(issue('PARSE_ERROR', '', 'file is empty', { source }))

  let value: Record<string, unknown>
  let locate: Locate | undefined
  let state: YamlEditState | undefined
  if (format === 'json') {
    const parsed = parseJson(text, source, isSecret)
    if ('issues' in parsed) throw new ConfigError(parsed.issues)
    value = parsed.value
  } else {
    const yaml = await yamlReader()
    // A save that changed one value: a path copy of the last read instead of a parse of the whole file.
    const edited = previous && yaml.editYaml(previous, text)
    if (edited) return edited
    const parsed = yaml.parseYaml(text, source, isSecret)
    if ('issues' in parsed) throw new ConfigError(parsed.issues)
    const { doc, lineCounter } = parsed.result
    ;({ value, locate } = parsed.result)
    state = {
      text,
      value,
      pairs: yaml.simplePairs(doc, lineCounter, text),
      lineStarts: lineCounter.lineStarts,
    }
  }
  const issues = checkData(value)
  if (issues.length > 0) {
    // JSON positions cost a second scan, made only when there is something to point at.
    locate ??= jsonLocator(
      text,
      issues.map((found) => found.path),
    )
    throw new ConfigError(reported(issues.map((found) => placed(found, source, locate))))
  }
  return state ? { value, state } : { value }
}

/**
 * Places dotted paths of a document `parseDocument` read into `data` (see `SourceData.locate`): each as `source` with
 * the line and column of its value, or of its key for an object (where a reader looks for it). Parses the text again
 * on each call, once for all the paths: it runs only when an issue needs placing, so a loaded layer keeps its bytes
 * rather than a syntax tree.
 */
export async function documentLocator(
  bytes: Uint8Array,
  format: DocumentFormat,
  source: string,
  data: Readonly<Record<string, unknown>>,
): Promise<(paths: readonly string[]) => readonly ValueOrigin[]> {
  // Loaded now, while the caller awaits: the locator itself runs synchronously, when issues need placing.
  const composeYaml = format === 'yaml' ? (await yamlReader()).composeYaml : undefined
  return (paths) => {
    const text = new TextDecoder('utf-8').decode(bytes)
    const composed = composeYaml?.(text)
    const locate =
      composed === undefined ? jsonLocator(text, paths) : 'locate' in composed ? composed.locate : undefined
    return paths.map((path) => {
      const segments = splitPath(path)
      return { source, ...locate?.(segments, isPlainObject(getAt(data, segments)) ? 'key' : 'value') }
    })
  }
}

/**
 * Problems in parsed data, found without recursion: nesting deeper than 100 levels (counted from the root, so
 * `prefix` adds its own depth), non-finite numbers (`INVALID`), and, unless the depth already failed,
 * forbidden keys (`FORBIDDEN_KEY`). Paths are dotted and start at `prefix`.
 */
export function checkData(value: unknown, prefix = ''): ConfigIssue[] {
  const issues: ConfigIssue[] = []
  const stack: [unknown, string, number][] = [[value, prefix, splitPath(prefix).length]]
  while (stack.length > 0) {
    const [node, path, depth] = stack.pop()!
    if (typeof node === 'number' && !Number.isFinite(node)) {
      issues.push(issue('INVALID', path, `${node} is not a finite number`))
    } else if (node !== null && typeof node === 'object') {
      if (depth + 1 > MAX_DEPTH) {
        // Bounded depth also bounds the walk: a cycle (YAML aliases) or a huge chain stops here.
        issues.push(issue('INVALID', path, TOO_DEEP))
        return issues
      }
      for (const [key, child] of Object.entries(node)) stack.push([child, joinPath(path, key), depth + 1])
    }
  }
  return [...issues, ...findForbiddenKeys(value, prefix)]
}

// --- internal ---

type YamlReader = typeof import('./parse-yaml.ts') & typeof import('./yaml-edit.ts')
let yamlModule: Promise<YamlReader> | undefined

/**
 * `yaml` costs about a fifth of `import 'hotconf'` (bench/README.md, measure 8): only YAML layers load it. Kept once
 * loaded: each `import()` resolves the specifier again, through every loader hook (milliseconds under tsx).
 */
function yamlReader(): Promise<YamlReader> {
  yamlModule ??= Promise.all([import('./parse-yaml.ts'), import('./yaml-edit.ts')]).then(([read, edit]) => ({
    ...read,
    ...edit,
  }))
  return yamlModule
}

/** More issues than this (a generated file with a bad key in every entry) are summed up in one last issue. */
const MAX_REPORTED = 100

/** In file order, at most `MAX_REPORTED` of them and a count of the rest. */
function reported(issues: ConfigIssue[]): ConfigIssue[] {
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
  const rest = issues.splice(MAX_REPORTED)
  const [next] = rest
  if (next)
    issues.push(issue(next.code, '', `${rest.length} more problems like the above`, { source: next.source! }))
  return issues
}

function placed(found: ConfigIssue, source: string, locate: Locate | undefined): ConfigIssue {
  const at = locate?.(splitPath(found.path), found.code === 'FORBIDDEN_KEY' ? 'key' : 'value')
  return { ...found, source, ...at }
}
