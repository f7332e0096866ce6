import { FORBIDDEN_KEYS } from '../../adapter-kit.ts'
import { issue } from '../../errors.ts'
import type { ConfigIssue } from '../../types.ts'
import { fail } from './problem.ts'

/**
 * Checks a dotted config path from a URL or a body: segments of `[A-Za-z0-9_-]` joined by single dots, none of
 * them a prototype key. Anything else is a 400, before the store sees it.
 */
export function parseConfigPath(raw: string): string {
  if (raw.length === 0 || raw.length > MAX_PATH)
    fail(400, 'INVALID', `a config path has 1 to ${MAX_PATH} characters`)
  for (const segment of raw.split('.')) {
    if (!SEGMENT.test(segment)) {
      fail(400, 'INVALID', 'a config path is dot-separated segments of letters, digits, "_" and "-"', [
        issue('INVALID', '', `bad segment "${segment.slice(0, 40)}"`),
      ])
    }
    if (FORBIDDEN_KEYS.has(segment)) {
      fail(400, 'FORBIDDEN_KEY', `"${segment}" is not allowed in a config path`, [
        issue('FORBIDDEN_KEY', raw, `key "${segment}" is not allowed`),
      ])
    }
  }
  return raw
}

/**
 * `FORBIDDEN_KEY` issues for prototype keys anywhere in a parsed body, and an `INVALID` one when it nests deeper
 * than the limit (so later recursive walks cannot overflow the stack). Iterative: the body may be hostile.
 */
export function unsafeKeys(value: unknown, prefix = ''): ConfigIssue[] {
  const out: ConfigIssue[] = []
  const stack: [unknown, string, number][] = [[value, prefix, 0]]
  while (stack.length > 0) {
    const [node, path, depth] = stack.pop()!
    if (node === null || typeof node !== 'object') continue
    if (depth >= MAX_DEPTH) {
      out.push(issue('INVALID', path, `nested deeper than ${MAX_DEPTH} levels`))
      break
    }
    for (const key of Object.keys(node)) {
      const at = path === '' ? key : `${path}.${key}`
      if (FORBIDDEN_KEYS.has(key)) out.push(issue('FORBIDDEN_KEY', at, `key "${key}" is not allowed`))
      else stack.push([(node as Record<string, unknown>)[key], at, depth + 1])
    }
  }
  return out
}

// --- internal ---

const SEGMENT = /^[A-Za-z0-9_-]+$/
const MAX_PATH = 512
const MAX_DEPTH = 64
