import { noneMatch } from './etag.ts'
import type { AdminOperation, ResponseDoc } from './operation.ts'
import { fail } from './problem.ts'
import { uiAssets } from './ui-assets.ts'

// Read when the table below is built, so declared before it.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; base-uri 'none'; object-src 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

/** The names under which the document's `components.headers` describe SECURITY_HEADERS. */
const SECURITY = ['Content-Security-Policy', 'X-Content-Type-Options', 'Referrer-Policy']

/**
 * `GET /ui/` and its assets: the admin console, a static page that holds no data (every call it makes goes through
 * the API with the user's token), so it needs no token itself. Served under a strict CSP: scripts and styles from
 * this origin only, no inline code, no framing.
 */
export const uiOperations: readonly AdminOperation[] = [
  {
    method: 'get',
    path: '/ui',
    operationId: 'redirectConsole',
    role: 'public',
    summary: 'Redirects to the admin console at `ui/`',
    responses: { 308: { description: 'To `ui/`', headers: ['Location', ...SECURITY] } },
    enabled: ({ ui }) => ui,
    // Relative, so it holds wherever the app is mounted: the page resolves the API from its own URL.
    handler: () => (c) => c.body(null, 308, { location: 'ui/', ...SECURITY_HEADERS }),
  },
  {
    method: 'get',
    path: '/ui/',
    operationId: 'getConsole',
    role: 'public',
    summary: 'The admin console page (no data; it calls this API with the user’s token)',
    responses: assetResponses('text/html'),
    enabled: ({ ui }) => ui,
    handler: () => (c) => serve('index.html', c.req.header('if-none-match')),
  },
  {
    method: 'get',
    path: '/ui/{file}',
    operationId: 'getConsoleAsset',
    role: 'public',
    summary: "One of the console's scripts or stylesheets (content-hashed names, cached immutable)",
    parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string' } }],
    responses: assetResponses('text/javascript', 'text/css'),
    problems: [404],
    enabled: ({ ui }) => ui,
    handler: () => (c) => serve(c.req.param('file') ?? '', c.req.header('if-none-match')),
  },
]

// --- internal ---

function assetResponses(...types: string[]): Readonly<Record<number, ResponseDoc>> {
  const headers = [...SECURITY, 'Cache-Control', 'AssetETag']
  return {
    200: {
      description: 'The file',
      content: Object.fromEntries(types.map((type) => [type, { type: 'string' }])),
      headers,
    },
    304: { description: 'Not modified since the ETag in If-None-Match', headers },
  }
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
