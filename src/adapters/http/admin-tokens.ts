import type { Logger } from '../../types.ts'
import { badOption, checkTokens } from './auth.ts'
import type { AdminAuth, AdminToken } from './options.ts'

/** The tokens an admin app checks, and the one it generated when it was given none. */
export interface AdminTokens {
  readonly tokens: readonly AdminToken[]
  readonly generated: AdminToken | undefined
}

/**
 * Throws `BAD_OPTIONS` for `auth` and `tokens` that cannot work: an unknown `auth`, `auth: 'none'` beside tokens,
 * or a token `checkTokens` refuses (shorter than 16 characters among them).
 */
export function checkAuth(auth: AdminAuth, tokens: readonly AdminToken[]): void {
  if (auth !== 'token' && auth !== 'none')
    badOption('auth', `auth must be 'token' or 'none', got "${String(auth)}"`)
  if (auth === 'none' && tokens.length > 0)
    badOption('auth', "auth: 'none' turns tokens off: give one or the other")
  checkTokens(tokens)
}

/**
 * Secure by default: the given tokens, or one random `admin` token generated now and logged (with how to send
 * it) when none are given. `auth: 'none'` means no tokens at all, with a warning. In `production` both the
 * generated token (it would sit in the logs) and `auth: 'none'` are refused with `BAD_OPTIONS`.
 */
export function adminTokens(
  auth: AdminAuth,
  tokens: readonly AdminToken[],
  environment: string,
  logger: Pick<Logger, 'info' | 'warn'>,
): AdminTokens {
  checkAuth(auth, tokens)
  if (tokens.length > 0) return { tokens, generated: undefined }
  if (environment === 'production') {
    badOption(
      auth === 'none' ? 'auth' : 'tokens',
      "the admin API needs tokens in production; without them anyone who reaches it is an admin (auth: 'none' is refused there)",
    )
  }
  if (auth === 'none') {
    logger.warn("admin API: auth: 'none', so no authentication: every caller is an admin named anonymous")
    return { tokens: [], generated: undefined }
  }
  const bytes = crypto.getRandomValues(new Uint8Array(24))
  const token = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  const generated: AdminToken = { name: 'admin', token, role: 'admin' }
  logger.info(
    `admin API: no tokens given, so this run generated an admin token; send "Authorization: Bearer ${token}" ` +
      "(give tokens to choose your own, or auth: 'none' to turn authentication off)",
  )
  return { tokens: [generated], generated }
}
