import { issue } from '../errors.ts'
import type { ConfigIssue } from '../types.ts'
import { joinPath } from './paths.ts'

/**
 * Keys that could reach `Object.prototype` through a merge or an assignment; rejected in every file, env var, patch
 * and URL. Exact match: `__PROTO__` is an ordinary key.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

/**
 * One `FORBIDDEN_KEY` issue (path and message) for every forbidden key in a value: a parsed file, an env var's JSON, an
 * update patch, an imported document. Paths are dotted, array items by index, and start at `prefix`.
 *
 * Safe on hostile input: the walk keeps its own stack (a 10,000-level value cannot overflow the call stack) and visits
 * each object once, so a cycle ends and shared subtrees (YAML aliases, a patch reusing one object) cost one visit; a
 * key inside a shared object is reported at the first path that reaches it. Issues come in document order.
 *
 * @example
 * findForbiddenKeys(JSON.parse('{"pool": {"__proto__": {"polluted": true}}}'))
 * // [{ code: 'FORBIDDEN_KEY', path: 'pool.__proto__', message: 'key "__proto__" is not allowed' }]
 */
export function findForbiddenKeys(value: unknown, prefix = ''): ConfigIssue[] {
  const out: ConfigIssue[] = []
  const seen = new Set<object>()
  // A forbidden key waits on the stack as `[key, path, true]`, so issues come out in document order.
  const stack: [unknown, string, boolean][] = [[value, prefix, false]]
  while (stack.length > 0) {
    const [node, path, forbidden] = stack.pop()!
    if (forbidden) out.push(issue('FORBIDDEN_KEY', path, `key "${String(node)}" is not allowed`))
    if (forbidden || node === null || typeof node !== 'object' || seen.has(node)) continue
    seen.add(node)
    const keys = Array.isArray(node) ? Array.from(node.keys(), String) : Object.keys(node)
    // Pushed last to first, so they pop first to last; the value below a forbidden key is never read.
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!
      const at = joinPath(path, key)
      if (FORBIDDEN_KEYS.has(key)) stack.push([key, at, true])
      else stack.push([(node as Record<string, unknown>)[key], at, false])
    }
  }
  return out
}
