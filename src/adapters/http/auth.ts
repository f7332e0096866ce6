import type { MiddlewareHandler } from 'hono'
import { timingSafeEqual } from 'hono/utils/buffer'
import { ConfigError, issue } from '../../errors.ts'
import type { AdminRole, AdminToken } from './options.ts'
import { fail } from './problem.ts'

/** Who is calling, as the guard established it. */
export interface Principal {
  readonly name: string
  readonly role: AdminRole
}

/** The Hono environment of the admin routes: the guard stores the caller here. */
export interface AdminEnv {
  Variables: { principal: Principal }
}

/** A comparison that takes the same time whether the strings differ early, late or in length. */
export type SecretCompare = (presented: string, expected: string) => Promise<boolean>

/**
 * Hono's `timingSafeEqual`: it hashes both strings, then compares the hashes and the strings in constant time.
 * On Node it hashes with `node:crypto`'s synchronous sha256 instead of WebCrypto's, whose async round trip costs
 * ~50 µs per call; elsewhere it keeps Hono's default.
 */
export const timingSafeCompare: SecretCompare = (presented, expected) =>
  timingSafeEqual(presented, expected, sha256)

/**
 * Finds the token the client presented. Every configured token is compared, with a timing-safe comparison,
 * even after a match, so the time taken says neither which token matched nor how much of one did.
 */
export async function matchToken(
  presented: string,
  tokens: readonly AdminToken[],
  compare: SecretCompare = timingSafeCompare,
): Promise<AdminToken | undefined> {
  let found: AdminToken | undefined
  for (const token of tokens) {
    const equal = await compare(presented, token.token)
    if (equal && found === undefined) found = token
  }
  return found
}

/** True when `role` may do what `needed` allows. */
export function allows(role: AdminRole, needed: AdminRole): boolean {
  return RANK[role] >= RANK[needed]
}

/** Throws `BAD_OPTIONS` for tokens that could never be used safely (empty, unnamed, unknown role, duplicated). */
export function checkTokens(tokens: readonly AdminToken[]): void {
  const seen = new Set<string>()
  tokens.forEach((t, i) => {
    const at = `tokens.${i}`
    if (typeof t?.name !== 'string' || t.name === '')
      bad(at, 'every token needs a non-empty name (the actor of its changes)')
    if (typeof t.token !== 'string' || !TOKEN.test(t.token)) {
      bad(
        at,
        `token "${t.name}" must be a non-empty string of URL-safe characters (A-Z a-z 0-9 . _ ~ + / - =)`,
      )
    }
    if (!Object.hasOwn(RANK, t.role))
      bad(at, `token "${t.name}" has role "${String(t.role)}"; use read, write or admin`)
    if (seen.has(t.token)) bad(at, `token "${t.name}" repeats another token's secret`)
    seen.add(t.token)
  })
}

/**
 * The guard of one route: authenticates the bearer token (401 with `WWW-Authenticate` when missing or unknown)
 * and checks its role (403). With no tokens configured every caller is `anonymous` with the `admin` role.
 */
export function createGuard(tokens: readonly AdminToken[]) {
  return function guard(needed: AdminRole): MiddlewareHandler<AdminEnv> {
    return async function requireRole(c, next) {
      const principal =
        tokens.length === 0 ? ANONYMOUS : await authenticate(c.req.header('authorization'), tokens)
      if (!allows(principal.role, needed)) {
        fail(403, 'FORBIDDEN', `token "${principal.name}" has role ${principal.role}; this needs ${needed}`)
      }
      c.set('principal', principal)
      await next()
    }
  }
}

// --- internal ---

// Reached through getBuiltinModule, not an import, so runtimes without node:crypto still load this file.
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:crypto') as typeof import('node:crypto') | undefined
const sha256 = nodeCrypto && ((input: string) => nodeCrypto.createHash('sha256').update(input).digest('hex'))

const RANK: Record<AdminRole, number> = { read: 1, write: 2, admin: 3 }
const TOKEN = /^[A-Za-z0-9._~+/-]+=*$/
const ANONYMOUS: Principal = { name: 'anonymous', role: 'admin' }
const REALM = 'Bearer realm="hotconf"'

async function authenticate(header: string | undefined, tokens: readonly AdminToken[]): Promise<Principal> {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '')
  if (!match)
    fail(401, 'UNAUTHORIZED', 'send Authorization: Bearer <token>', [], { 'www-authenticate': REALM })
  const token = await matchToken(match[1]!, tokens)
  if (!token) {
    fail(401, 'UNAUTHORIZED', 'the bearer token is not valid', [], {
      'www-authenticate': `${REALM}, error="invalid_token"`,
    })
  }
  return { name: token.name, role: token.role }
}

function bad(path: string, message: string): never {
  throw new ConfigError(issue('BAD_OPTIONS', path, message))
}
