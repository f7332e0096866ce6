import { readFile } from 'node:fs/promises'
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
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
  readonly headers: IncomingHttpHeaders
  readonly body: unknown
}

export interface CallInit {
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
  readonly contentType?: string
  /** An event stream: no time limit on the answer. */
  readonly stream?: boolean
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
  if (!ok(response)) throw await refused(conn, response)
  const text = await textOf(response)
  return {
    status: response.statusCode ?? 0,
    headers: response.headers,
    body: text === '' ? undefined : parseJson(text, conn, response.statusCode),
  }
}

/** True for a 2xx answer. */
export function ok(response: IncomingMessage): boolean {
  return (response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300
}

/** The `ApiFailure` for an answer that is not 2xx, from its problem document. */
export async function refused(conn: Connection, response: IncomingMessage): Promise<ApiFailure> {
  const text = await textOf(response)
  let body: unknown
  try {
    body = text === '' ? undefined : JSON.parse(text)
  } catch {
    body = undefined
  }
  return refusal(conn, response.statusCode ?? 0, body)
}

/**
 * The request with the token and the body, over `node:http` (`fetch` would cost each run more start-up time than
 * everything else together). A network failure is exit 3, naming the URL and never the token.
 */
export async function send(
  conn: Connection,
  method: string,
  path: string,
  init: CallInit,
): Promise<IncomingMessage> {
  const url = new URL(`${conn.base}${path}`)
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http')
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers }
  if (conn.token) headers.authorization = `Bearer ${conn.token}`
  const body = init.body === undefined ? undefined : JSON.stringify(init.body)
  if (body !== undefined) headers['content-type'] = init.contentType ?? 'application/json'
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, resolve)
    const unreachable = (reason: string) =>
      reject(new CliFailure(EXIT.unreachable, `cannot connect to ${conn.base}: ${reason}`))
    req.on('error', (error: NodeJS.ErrnoException) => unreachable(error.code ?? error.message))
    if (!init.stream) {
      req.setTimeout(ANSWER_TIMEOUT_MS, () => {
        req.destroy()
        unreachable(`no answer within ${ANSWER_TIMEOUT_MS / 1000} s`)
      })
    }
    req.end(body)
  })
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

const ANSWER_TIMEOUT_MS = 30_000

async function textOf(response: IncomingMessage): Promise<string> {
  response.setEncoding('utf8')
  let text = ''
  for await (const chunk of response) text += chunk as string
  return text
}

function parseJson(text: string, conn: Connection, status: number | undefined): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new CliFailure(
      EXIT.unreachable,
      `${conn.base} answered ${status} with something that is not JSON: is --url the admin API's base (e.g. .../config)?`,
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
