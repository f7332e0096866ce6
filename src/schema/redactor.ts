import { isPlainObject, joinPath, splitPath } from '../tree/paths.ts'
import type { Change } from '../types.ts'

/** What a secret value is shown as. */
export const REDACTED = '[redacted]'

/** Hides the values of `secret` keys in anything shown to people. Built once per store from the marked paths. */
export interface Redactor {
  readonly hasSecrets: boolean
  /** True when the path is a secret key or lies below one. */
  isSecret(path: string): boolean
  /** The value with every secret at or below `path` replaced by `'[redacted]'`; the same value when there is none. */
  value(value: unknown, path?: string): unknown
  changes(changes: readonly Change[]): readonly Change[]
  /** Removes secret values of the given configs from free text (error messages from participants or zod). */
  scrub(text: string, ...configs: unknown[]): string
}

export function createRedactor(secretPaths: readonly string[]): Redactor {
  const patterns = secretPaths.map((p) => splitPath(p))
  const matches = (segments: readonly string[], pattern: readonly string[]) =>
    pattern.every((p, i) => p === '*' || p === segments[i])
  const isSecret = (path: string) => {
    const segments = splitPath(path)
    return patterns.some((p) => p.length <= segments.length && matches(segments, p))
  }
  // A secret lies below `path` when some pattern is longer and starts like it.
  const hasSecretBelow = (path: string) => {
    const segments = splitPath(path)
    return patterns.some(
      (p) => p.length > segments.length && segments.every((s, i) => p[i] === '*' || p[i] === s),
    )
  }

  function value(v: unknown, path = ''): unknown {
    if (patterns.length === 0 || v === undefined) return v
    if (path !== '' && isSecret(path)) return REDACTED
    if (!isPlainObject(v) || !hasSecretBelow(path)) return v
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(v)) out[key] = value(v[key], joinPath(path, key))
    return out
  }

  function secretStrings(config: unknown, segments: readonly string[], at: number, out: Set<string>) {
    if (at === segments.length) {
      if (typeof config === 'string' || typeof config === 'number' || typeof config === 'bigint') {
        const s = String(config)
        if (s.length >= 3) out.add(s)
      } else if (isPlainObject(config)) {
        for (const v of Object.values(config)) secretStrings(v, segments, at, out)
      }
      return
    }
    if (!isPlainObject(config)) return
    const seg = segments[at]!
    const keys = seg === '*' ? Object.keys(config) : Object.hasOwn(config, seg) ? [seg] : []
    for (const key of keys) secretStrings(config[key], segments, at + 1, out)
  }

  return {
    hasSecrets: patterns.length > 0,
    isSecret,
    value,
    changes(changes) {
      if (patterns.length === 0) return changes
      return changes.map((c) =>
        isSecret(c.path) || hasSecretBelow(c.path)
          ? { path: c.path, from: value(c.from, c.path), to: value(c.to, c.path) }
          : c,
      )
    },
    scrub(text, ...configs) {
      if (patterns.length === 0) return text
      const values = new Set<string>()
      for (const config of configs) for (const p of patterns) secretStrings(config, p, 0, values)
      let out = text
      for (const s of values) out = out.split(s).join(REDACTED)
      return out
    },
  }
}
