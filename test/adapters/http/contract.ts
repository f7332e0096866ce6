import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import type { FormatsPlugin } from 'ajv-formats'
import * as formats from 'ajv-formats'

/** One request as the test sent it. */
export interface SentRequest {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string | undefined
}

/** Checks exchanges with the admin API against its OpenAPI document; each check throws what it found. */
export interface Contract {
  /**
   * The response must be documented for the operation the request reached: its status, its content type, its body
   * (JSON against the schema, closed schemas refusing unknown fields), every header it sends (beyond the transport's
   * own) and every header the document requires. A request the document refuses (no token, a parameter or body that
   * breaks its schema, an undocumented media type) must get a 4xx. A request that reaches no operation must get the
   * 404 problem (or 413 for a body over the limit, which is checked before routing).
   */
  check(request: SentRequest, response: Response): Promise<void>
  /** An event of `GET /stream` must be one `x-hotconf-events` names, with data of its schema. */
  checkEvent(streamUrl: string, event: string | undefined, data: string): void
}

/**
 * A contract from an OpenAPI 3.1 document. Schemas are checked with Ajv's draft 2020-12 validator (OpenAPI 3.1's
 * schema dialect) and ajv-formats; the document itself is checked against the OpenAPI meta-schema in openapi.test.ts.
 */
export function createContract(doc: Record<string, unknown>): Contract {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false })
  addFormats(ajv)
  ajv.addSchema(doc, DOC_ID)
  const compiled = new Map<string, ValidateFunction>()
  const validate = (schema: unknown, value: unknown): string | undefined => {
    // Refs in the document point at its root: resolve them against the document Ajv holds.
    const text = JSON.stringify(schema ?? {}).replaceAll('"#/', `"${DOC_ID}#/`)
    let fn = compiled.get(text)
    if (!fn) {
      fn = ajv.compile(JSON.parse(text) as object)
      compiled.set(text, fn)
    }
    return fn(value) ? undefined : ajv.errorsText(fn.errors, { separator: '; ' })
  }
  const routes = routesOf(doc)
  const components = (doc.components ?? {}) as Record<string, Record<string, Obj>>
  const deref = (o: Obj): Obj => {
    const ref = o.$ref
    if (typeof ref !== 'string') return o
    const [, kind, name] = ref.split('/').slice(1)
    return components[kind!]?.[name!] ?? fail(`unresolved ${ref}`)
  }

  return {
    async check(request, response) {
      const url = new URL(request.url)
      const method = request.method.toLowerCase()
      const at = `${request.method} ${url.pathname}${url.search} → ${response.status}`
      const found = findOperation(routes, method, url.pathname)
      if (!found) {
        const allowed = BODY_METHODS.has(method) ? [404, 413] : [404]
        if (!allowed.includes(response.status)) fail(`${at}: no operation documents this request`)
        await checkBody(
          at,
          response,
          method,
          { 'application/problem+json': { schema: ref('Problem') } },
          validate,
        )
        return
      }
      const { op, params } = found
      const refused = requestErrors(op, params, url, request, validate, deref)
      if (refused.length > 0 && (response.status < 400 || response.status >= 500)) {
        fail(`${at}: the document refuses this request (${refused.join('; ')}) but the server accepted it`)
      }
      const responses = op.responses as Record<string, Obj>
      const documented = responses[String(response.status)]
      if (!documented) fail(`${at}: status ${response.status} is not documented`)
      checkHeaders(at, response, (documented.headers ?? {}) as Record<string, Obj>, validate, deref)
      await checkBody(at, response, method, documented.content as Record<string, Obj> | undefined, validate)
    },
    checkEvent(streamUrl, event, data) {
      const found = findOperation(routes, 'get', new URL(streamUrl).pathname)
      const ok = (found?.op.responses as Record<string, Obj> | undefined)?.['200']
      const events = (ok?.['x-hotconf-events'] ?? {}) as Record<string, Obj>
      const schema = events[event ?? 'message']
      if (!schema) fail(`stream: event "${event}" is not documented`)
      const error = validate(schema, JSON.parse(data))
      if (error) fail(`stream: event "${event}" does not match the document: ${error} in ${data}`)
    },
  }
}

// --- internal ---

type Obj = Record<string, unknown>
type Validate = (schema: unknown, value: unknown) => string | undefined

const DOC_ID = 'urn:hotconf:openapi'
// ajv-formats is CommonJS: under Node's ESM its plugin is the default export's `default`.
const addFormats = (formats as unknown as { default: FormatsPlugin }).default
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete'])
/** Headers of HTTP itself, which an OpenAPI document does not describe. */
const TRANSPORT = new Set([
  'content-type',
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
])
const JSON_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json$/

function fail(message: string): never {
  throw new Error(`contract: ${message}`)
}

function ref(name: string): Obj {
  return { $ref: `#/components/schemas/${name}` }
}

interface Route {
  readonly pattern: RegExp
  readonly names: readonly string[]
  readonly item: Obj
}

function routesOf(doc: Record<string, unknown>): Route[] {
  return Object.entries(doc.paths as Record<string, Obj>).map(([template, item]) => {
    const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!)
    const source = template
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('([^/]+)')
    return { pattern: new RegExp(`^${source}$`), names, item }
  })
}

function findOperation(routes: readonly Route[], method: string, pathname: string) {
  for (const route of routes) {
    const m = route.pattern.exec(pathname)
    const op = route.item[method] as Obj | undefined
    if (!m || !op) continue
    const params = Object.fromEntries(route.names.map((name, i) => [name, decoded(m[i + 1]!)]))
    return { op, params }
  }
  return undefined
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

function requestErrors(
  op: Obj,
  params: Record<string, string>,
  url: URL,
  request: SentRequest,
  validate: Validate,
  deref: (o: Obj) => Obj,
): string[] {
  const errors: string[] = []
  const header = (name: string) =>
    Object.entries(request.headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1]
  if ((op.security as unknown[]).length > 0 && !/^Bearer +\S+ *$/i.test(header('authorization') ?? ''))
    errors.push('no bearer token')
  for (const p of ((op.parameters ?? []) as Obj[]).map(deref)) {
    const name = p.name as string
    const raw =
      p.in === 'path'
        ? params[name]
        : p.in === 'query'
          ? (url.searchParams.get(name) ?? undefined)
          : header(name)
    if (raw === undefined) {
      if (p.required === true) errors.push(`${p.in} parameter ${name} is missing`)
      continue
    }
    const error = validate(p.schema, coerced(raw, p.schema as Obj))
    if (error) errors.push(`${p.in} parameter ${name}: ${error}`)
  }
  const body = op.requestBody as Obj | undefined
  // The server takes a body of whitespace as no body, whatever its content type.
  const text = request.body?.trim() ? request.body : undefined
  if (!body || text === undefined) {
    if (body?.required === true) errors.push('the body is missing')
    return errors
  }
  const type = (header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  const content = body.content as Record<string, Obj>
  // A structured-syntax suffix (RFC 6839): `application/<x>+json` is JSON, as `application/json` documents it.
  const media = content[type] ?? (JSON_TYPE.test(type) ? content['application/json'] : undefined)
  if (!media) return [...errors, `media type "${type}" is not documented`]
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return [...errors, 'the body is not JSON']
  }
  const error = validate(media.schema, value)
  return error ? [...errors, `body: ${error}`] : errors
}

/** A parameter's text as the type its schema names (query and header values are strings on the wire). */
function coerced(raw: string, schema: Obj | undefined): unknown {
  if ((schema?.type === 'integer' || schema?.type === 'number') && /^-?\d+(\.\d+)?$/.test(raw))
    return Number(raw)
  if (schema?.type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true'
  return raw
}

function checkHeaders(
  at: string,
  response: Response,
  documented: Record<string, Obj>,
  validate: Validate,
  deref: (o: Obj) => Obj,
): void {
  const byName = new Map(Object.entries(documented).map(([name, h]) => [name.toLowerCase(), deref(h)]))
  for (const [name, value] of response.headers) {
    if (TRANSPORT.has(name)) continue
    const h = byName.get(name)
    if (!h) fail(`${at}: header ${name} is not documented`)
    const error = validate(h.schema, value)
    if (error) fail(`${at}: header ${name}: ${error} (${value})`)
  }
  for (const [name, h] of byName) {
    if (h.required === true && !response.headers.has(name)) fail(`${at}: required header ${name} is missing`)
  }
}

async function checkBody(
  at: string,
  response: Response,
  method: string,
  content: Record<string, Obj> | undefined,
  validate: Validate,
): Promise<void> {
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (!content) {
    if (type !== '') fail(`${at}: content type ${type} where the document has no content`)
    if (method !== 'head' && (await response.clone().text()) !== '')
      fail(`${at}: a body where none is documented`)
    return
  }
  const media = content[type]
  if (!media) fail(`${at}: content type "${type}" is not documented (${Object.keys(content).join(', ')})`)
  // HEAD has no body; an event stream never ends (its events are checked one by one).
  if (method === 'head' || type === 'text/event-stream') return
  const text = await response.clone().text()
  const value = JSON_TYPE.test(type) ? parsed(at, text) : text
  const error = validate(media.schema, value)
  if (error) fail(`${at}: body does not match the document: ${error} in ${text.slice(0, 500)}`)
}

function parsed(at: string, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return fail(`${at}: the body is not JSON: ${text.slice(0, 200)}`)
  }
}
