import { configJsonSchema } from '../../adapter-kit.ts'
import type { ConfigStore } from '../../types.ts'
import { ADMIN_OPERATIONS } from './admin-operations.ts'
import { checkAuth } from './admin-tokens.ts'
import { HEADER_NAMES, HEADERS, PARAMETERS, ref, STATIC_SCHEMAS } from './openapi-components.ts'
import {
  type AdminOperation,
  checkBase,
  type JsonObject,
  normalizeBase,
  type ResponseDoc,
} from './operation.ts'
import type { AdminAuth } from './options.ts'
import { problemTitle } from './problem.ts'

/** Options of `adminOpenApi`: those of the admin app that change what it serves. */
export interface AdminOpenApiOptions {
  /** Where the routes are mounted; every path in the document starts with it. @default '/config' */
  readonly base?: string
  /** Whether `GET /metrics` is served (and so documented). @default true */
  readonly metrics?: boolean
  /** Whether the admin console's page and assets are served (and so documented). @default true */
  readonly ui?: boolean
  /** `'none'`: no security scheme and no 401/403 responses. @default 'token' */
  readonly auth?: AdminAuth
}

/** An OpenAPI 3.1 document, as JSON. */
export type OpenApiDocument = Record<string, unknown>

/**
 * The OpenAPI 3.1 document of the admin API that `createAdminApp(store, options)` serves at `GET <base>/openapi.json`:
 * every route (and `HEAD` for each `GET`), its parameters, request body and every status it answers, errors as
 * `application/problem+json`, the bearer scheme with the role each operation needs (`x-hotconf-role`). The config's
 * schemas come from the store's zod schema (`Config` as responses show it, secrets `'[redacted]'`; `ConfigInput`
 * with secrets `writeOnly`; restart-only keys `x-hotconf-restart`), so the document cannot disagree with validation.
 * Pure: it reads only `store.schema`, so a build step can write it to a file. Throws `BAD_OPTIONS` for a `base` or
 * `auth` that `createAdminApp` would refuse.
 *
 * @example
 * writeFileSync('admin-api.json', JSON.stringify(adminOpenApi(store, { base: '/config' }), null, 2))
 * // npx openapi-typescript admin-api.json -o admin-api.d.ts
 */
export function adminOpenApi(
  store: Pick<ConfigStore<unknown>, 'schema'>,
  { base = '/config', metrics = true, ui = true, auth = 'token' }: AdminOpenApiOptions = {},
): OpenApiDocument {
  checkBase(base)
  checkAuth(auth, [])
  const secured = auth === 'token'
  const paths: Record<string, Record<string, unknown>> = {}
  for (const op of ADMIN_OPERATIONS) {
    if (op.enabled && !op.enabled({ metrics, ui })) continue
    const path = fullPath(base, op.path)
    const item = paths[path] ?? {}
    paths[path] = item
    const operation = operationObject(op, secured)
    item[op.method] = operation
    // Hono answers HEAD for every GET route: the same status and headers, no body.
    if (op.method === 'get') item.head = { ...operation, operationId: `head${capitalized(op.operationId)}` }
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'hotconf admin API',
      version: API_VERSION,
      description:
        'Read, change, validate, roll back and follow a hotconf config store. See docs/http.md of the hotconf package.',
    },
    paths,
    components: {
      schemas: { ...configSchemas(store.schema), ...STATIC_SCHEMAS },
      parameters: PARAMETERS,
      headers: HEADERS,
      ...(secured
        ? {
            securitySchemes: {
              bearerAuth: { type: 'http', scheme: 'bearer', description: 'An admin token' },
            },
          }
        : {}),
    },
  }
}

// --- internal ---

/** The version of the API this document describes (not of the package). */
const API_VERSION = '1.0.0'
const CONFIG_SCHEMAS = {
  Config: { io: 'output', redacted: true },
  ConfigWithSecrets: { io: 'output' },
  ConfigInput: { io: 'input' },
} as const

function operationObject(op: AdminOperation, secured: boolean): Record<string, unknown> {
  const guarded = secured && op.role !== 'public'
  const problems = new Set(op.problems ?? [])
  if (guarded) problems.add(401)
  if (guarded && op.role !== 'read') problems.add(403)
  if (!secured) problems.delete(403)
  if (op.method !== 'get') problems.add(413)
  problems.add(500)
  const responses: Record<string, unknown> = {}
  for (const [status, doc] of Object.entries(op.responses)) responses[status] = responseObject(doc)
  for (const status of [...problems].sort((a, b) => a - b)) {
    const headers = [...(op.problemHeaders?.[status] ?? []), ...(status === 401 ? ['WWW-Authenticate'] : [])]
    responses[status] = responseObject({
      description: problemTitle(status),
      content: { 'application/problem+json': 'Problem' },
      headers,
    })
  }
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description === undefined ? {} : { description: op.description }),
    'x-hotconf-role': op.role,
    security: guarded ? [{ bearerAuth: [] }] : [],
    ...(op.parameters
      ? { parameters: op.parameters.map((p) => (typeof p === 'string' ? componentRef('parameters', p) : p)) }
      : {}),
    ...(op.requestBody
      ? {
          requestBody: {
            required: op.requestBody.required,
            description: `${op.requestBody.description}. Any \`application/*+json\` type is read as JSON.`,
            content: mediaTypes(op.requestBody.content),
          },
        }
      : {}),
    responses,
  }
}

function responseObject(doc: ResponseDoc): JsonObject {
  const headers = Object.fromEntries(
    (doc.headers ?? []).map((name) => {
      const optional = name.endsWith('?')
      const key = optional ? name.slice(0, -1) : name
      return [HEADER_NAMES[key] ?? key, { ...HEADERS[key], required: !optional }]
    }),
  )
  return {
    description: doc.description,
    ...(doc.headers?.length ? { headers } : {}),
    ...(doc.content ? { content: mediaTypes(doc.content) } : {}),
    ...doc.extensions,
  }
}

function mediaTypes(content: Readonly<Record<string, string | JsonObject>>): JsonObject {
  return Object.fromEntries(
    Object.entries(content).map(([type, schema]) => [
      type,
      { schema: typeof schema === 'string' ? ref(schema) : schema },
    ]),
  )
}

function componentRef(kind: string, name: string): JsonObject {
  return { $ref: `#/components/${kind}/${name}` }
}

/**
 * The config's component schemas from zod's JSON Schema output. A schema's own `$defs` (recursive or shared parts)
 * move to `components.schemas` as `<Component>_<name>`: inside an OpenAPI document `#/$defs/...` would point at the
 * document's root, not at the schema.
 */
function configSchemas(schema: Pick<ConfigStore<unknown>, 'schema'>['schema']): Record<string, JsonObject> {
  const out: Record<string, JsonObject> = {}
  for (const [name, options] of Object.entries(CONFIG_SCHEMAS)) {
    const { $defs, ...root } = configJsonSchema(schema, options)
    // The document's dialect (OpenAPI 3.1's, a superset of draft 2020-12) applies: no `$schema` per component.
    delete root.$schema
    const rename = (text: string) =>
      text
        .replaceAll('"#/$defs/', `"#/components/schemas/${name}_`)
        .replaceAll('"#"', `"#/components/schemas/${name}"`)
    const moved = (value: unknown) => JSON.parse(rename(JSON.stringify(value))) as JsonObject
    out[name] = moved(root)
    for (const [def, sub] of Object.entries(($defs ?? {}) as Record<string, unknown>))
      out[`${name}_${def}`] = moved(sub)
  }
  return out
}

function fullPath(base: string, path: string): string {
  const root = normalizeBase(base)
  if (path === '/') return root
  return root === '/' ? path : `${root}${path}`
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
