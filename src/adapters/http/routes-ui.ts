import type { AdminApi } from './admin-context.ts'
import { noneMatch } from './etag.ts'
import { fail } from './problem.ts'
import { uiAssets } from './ui-assets.ts'

/**
 * `GET /ui/` and its assets: the admin console, a static page that holds no data (every call it makes goes through
 * the API with the user's token), so it needs no token itself. Served under a strict CSP: scripts and styles from
 * this origin only, no inline code, no framing.
 */
export function uiRoutes(api: AdminApi): void {
  // Relative, so it holds wherever the app is mounted: the page resolves the API from its own URL.
  api.get('/ui', (c) => c.body(null, 308, { location: 'ui/', ...SECURITY_HEADERS }))
  api.get('/ui/', (c) => serve('index.html', c.req.header('if-none-match')))
  api.get('/ui/:file', (c) => serve(c.req.param('file') ?? '', c.req.header('if-none-match')))
}

// --- internal ---

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; base-uri 'none'; object-src 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

async function serve(name: string, ifNoneMatch: string | undefined): Promise<Response> {
  const asset = (await uiAssets()).get(name)
  if (!asset) return fail(404, 'NOT_FOUND', `the console has no file "${name.slice(0, 80)}"`)
  const headers = {
    ...SECURITY_HEADERS,
    'content-type': asset.type,
    etag: asset.etag,
    // The page itself is checked on every load; what it names carries a content hash.
    'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  }
  if (noneMatch(ifNoneMatch, asset.etag)) return new Response(null, { status: 304, headers })
  return new Response(asset.body, { headers })
}
