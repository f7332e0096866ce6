import { parseConfigPath } from './config-path.ts'
import { jsonResponse } from './json.ts'
import type { AdminOperation } from './operation.ts'

/** `GET /session` and `GET /explain/{path}`: what the console needs beside the API's other routes. */
export const consoleOperations: readonly AdminOperation[] = [
  // Who the token is, so a client can tell a bad token (401) from a good one and show only what its role allows.
  {
    method: 'get',
    path: '/session',
    operationId: 'getSession',
    role: 'read',
    summary: "The caller's token name and role",
    responses: { 200: { description: 'Who the token is', content: { 'application/json': 'Session' } } },
    handler: () => (c) => {
      const { name, role } = c.get('principal')
      return jsonResponse({ name, role })
    },
  },
  {
    method: 'get',
    path: '/explain/{path}',
    operationId: 'explainValue',
    role: 'read',
    summary: 'Which layer gave the value at a dotted path, and the values it shadows (redacted)',
    parameters: ['ConfigPath'],
    responses: {
      200: { description: 'Where the value comes from', content: { 'application/json': 'Explanation' } },
    },
    problems: [400, 404],
    handler:
      ({ store }) =>
      (c) => {
        const path = parseConfigPath(c.req.param('path') ?? '')
        const explained = store.explain(path)
        return jsonResponse({
          ...explained,
          value: store.redact(explained.value, path),
          shadowed: explained.shadowed.map((s) => ({ layer: s.layer, value: store.redact(s.value, path) })),
        })
      },
  },
]
