import { fail } from './problem.ts'

/**
 * A duration query parameter of a write (`ttl`, `probation`), in milliseconds: an integer with a unit, `ms`, `s`,
 * `m` or `h` (`?ttl=15m`); `undefined` when absent. Anything else is a 400 that says what is accepted.
 */
export function durationQuery(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const match = /^([1-9]\d{0,9})(ms|s|m|h)$/.exec(raw)
  const ms = match ? Number(match[1]) * UNITS[match[2] as keyof typeof UNITS] : Number.NaN
  if (!Number.isSafeInteger(ms))
    fail(
      400,
      'BAD_REQUEST',
      `${name} must be a positive integer with a unit, ms, s, m or h (e.g. 15m), got "${raw.slice(0, 40)}"`,
    )
  return ms
}

// --- internal ---

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const
