import { readFile } from 'node:fs/promises'
import { CliFailure, EXIT, type ExitCode, usage } from '../exit.ts'

/** Where the admin API is and how to authenticate. The token is never printed, not even in errors. */
export interface Connection {
  /** The API's base URL without a trailing slash, e.g. `http://127.0.0.1:7070/config`. */
  readonly base: string
  readonly token: string | undefined
}

/** A successful answer: status, headers and the parsed JSON body (`undefined` when there is none). */
export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly body: unknown
}

export interface CallInit {
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
  readonly contentType?: string
  readonly signal?: AbortSignal
}

/** A refusal of the API as a `CliFailure`, with the problem document for `--json`. */
export class ApiFailure extends CliFailure {
  constructor(
    exitCode: ExitCode,
    message: string,
    readonly problem: unknown,
  ) {
    super(exitCode, message)
  }
}

/** `--url`/`HOTCONF_URL` and `--token`/`HOTCONF_TOKEN`/`HOTCONF_TOKEN_FILE`, in that order. */
export async function connectionOf(
  flags: { readonly url?: string | undefined; readonly token?: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
): Promise<Connection> {
  const url = flags.url ?? env.HOTCONF_URL
  if (!url) throw usage('no admin API: pass --url or set HOTCONF_URL (e.g. http://127.0.0.1:7070/config)')
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw usage(`--url is not a URL: ${url.slice(0, 100)}`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw usage('--url must be http:// or https://')
  return { base: url.replace(/\/+$/, ''), token: flags.token || env.HOTCONF_TOKEN || (await tokenFile(env)) }
}

/** One request to the API. Any answer but 2xx becomes an `ApiFailure` with the exit code it deserves. */
export async function call(
  conn: Connection,
  method: string,
  path: string,
  init: CallInit = {},
): Promise<Reply> {
  const response = await send(conn, method, path, init)
  if (!response.ok) throw await refused(conn, response)
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : parseJson(text, response),
  }
}

/** The `ApiFailure` for an answer that is not 2xx, from its problem document. */
export async function refused(conn: Connection, response: Response): Promise<ApiFailure> {
  const text = await response.text()
  let body: unknown
  try {
    body = text === '' ? undefined : JSON.parse(text)
  } catch {
    body = undefined
  }
  return refusal(conn, response.status, body)
}

/** `fetch` with the token and the body; a network failure is exit 3, naming the URL and never the token. */
export async function send(
  conn: Connection,
  method: string,
  path: string,
  init: CallInit,
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers }
  if (conn.token) headers.authorization = `Bearer ${conn.token}`
  if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json'
  try {
    return await fetch(`${conn.base}${path}`, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      ...(init.signal ? { signal: init.signal } : {}),
    })
  } catch (error) {
    if (init.signal?.aborted) throw error
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    throw new CliFailure(
      EXIT.unreachable,
      `cannot connect to ${conn.base}: ${cause?.code ?? cause?.message ?? String(error)}`,
    )
  }
}

// --- internal ---

async function tokenFile(env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  const file = env.HOTCONF_TOKEN_FILE
  if (!file) return undefined
  try {
    return (await readFile(file, 'utf8')).trim()
  } catch (error) {
    throw usage(
      `cannot read HOTCONF_TOKEN_FILE ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
    )
  }
}

function parseJson(text: string, response: Response): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new CliFailure(
      EXIT.unreachable,
      `${response.url} answered ${response.status} with something that is not JSON: is --url the admin API's base (e.g. .../config)?`,
    )
  }
}

interface ProblemBody {
  readonly detail?: string
  readonly code?: string
  readonly errors?: readonly { readonly path?: string; readonly message?: string }[]
}

function refusal(conn: Connection, status: number, body: unknown): ApiFailure {
  const problem = (typeof body === 'object' && body !== null ? body : {}) as ProblemBody
  const detail = problem.detail ?? `HTTP ${status}`
  const lines = (problem.errors ?? [])
    .filter((e) => e.message && !detail.endsWith(e.message))
    .map((e) => `\n  ${e.path || '(root)'}: ${e.message}`)
  const message = `${detail}${lines.join('')}`
  if (status === 401) {
    const hint = conn.token
      ? 'the token was refused'
      : 'no token: pass --token or set HOTCONF_TOKEN or HOTCONF_TOKEN_FILE'
    return new ApiFailure(EXIT.unreachable, `not authorised (401): ${hint}`, body)
  }
  if (status === 403) return new ApiFailure(EXIT.unreachable, `forbidden (403): ${detail}`, body)
  if (status === 412) return new ApiFailure(EXIT.conflict, `conflict (412): ${message}`, body)
  if (status === 400) return new ApiFailure(EXIT.usage, message, body)
  if (status >= 500)
    return new ApiFailure(EXIT.unreachable, `the service answered ${status}: ${message}`, body)
  return new ApiFailure(EXIT.failed, message, body)
}
