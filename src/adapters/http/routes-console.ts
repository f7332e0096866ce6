import type { AdminApi, AdminContext } from './admin-context.ts'
import { parseConfigPath } from './config-path.ts'
import { jsonResponse } from './json.ts'

/** `GET /session` and `GET /explain/{path}`: what the console needs beside the API's other routes. */
export function consoleRoutes(api: AdminApi, { store, guard }: AdminContext): void {
  // Who the token is, so a client can tell a bad token (401) from a good one and show only what its role allows.
  api.get(
    '/session',
    guard('read', (c) => {
      const { name, role } = c.get('principal')
      return jsonResponse({ name, role })
    }),
  )

  api.get(
    '/explain/:path',
    guard('read', (c) => {
      const path = parseConfigPath(c.req.param('path') ?? '')
      const explained = store.explain(path)
      return jsonResponse({
        ...explained,
        value: store.redact(explained.value, path),
        shadowed: explained.shadowed.map((s) => ({ layer: s.layer, value: store.redact(s.value, path) })),
      })
    }),
  )
}
