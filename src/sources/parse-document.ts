import { ConfigError, issue } from '../errors.ts'
import { findForbiddenKeys } from '../tree/patch.ts'
import { joinPath, splitPath } from '../tree/paths.ts'
import type { ConfigIssue } from '../types.ts'
import { parseJson } from './parse-json.ts'
import { composeYaml, type Locate, MAX_DEPTH, parseYaml, TOO_DEEP } from './parse-yaml.ts'

/** The formats a file source reads. */
export type DocumentFormat = 'yaml' | 'json'

/**
 * Reads a config file's bytes into plain data (`{}` objects, arrays, strings, finite numbers, booleans, null).
 * Throws a `ConfigError` listing every problem found, each with `source` and, where known, line and column:
 * - `PARSE_ERROR`: invalid UTF-8, an empty or whitespace-only file (a truncate-then-write in progress must never
 *   become an empty layer), a syntax error, a duplicate YAML key, an alias bomb, a top level that is not a mapping;
 * - `INVALID`: nesting deeper than 100 levels, a number that is not finite (YAML `.inf`, `.nan`, JSON `1e999`);
 * - `FORBIDDEN_KEY`: `__proto__`, `constructor` or `prototype` anywhere, with the dotted path.
 *
 * A UTF-8 byte order mark is skipped.
 */
export function parseDocument(
  bytes: Uint8Array,
  format: DocumentFormat,
  source: string,
): Record<string, unknown> {
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
  if (format === 'json') {
    const parsed = parseJson(text, source)
    if ('issues' in parsed) throw new ConfigError(parsed.issues)
    value = parsed.value
  } else {
    const parsed = parseYaml(text, source)
    if ('issues' in parsed) throw new ConfigError(parsed.issues)
    ;({ value, locate } = parsed.result)
  }
  const issues = checkData(value)
  if (issues.length > 0) {
    // JSON positions are worth a second parse when there is something to point at, and that parse is bounded.
    if (!issues.some((found) => found.message === TOO_DEEP)) locate ??= jsonLocator(text)
    throw new ConfigError(issues.map((found) => placed(found, source, locate)))
  }
  return value
}

/**
 * Problems in parsed data, found without recursion: nesting deeper than 100 levels (counted from the root, so
 * `prefix` adds its own depth), non-finite numbers (`INVALID`), and, once the depth is known to be bounded,
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

function placed(found: ConfigIssue, source: string, locate: Locate | undefined): ConfigIssue {
  const at = locate?.(splitPath(found.path), found.code === 'FORBIDDEN_KEY' ? 'key' : 'value')
  return { ...found, source, ...at }
}

function jsonLocator(text: string): Locate | undefined {
  const composed = composeYaml(text)
  return 'locate' in composed && composed.doc.errors.length === 0 ? composed.locate : undefined
}
