import type { Logger } from '../../types.ts'

/** What a token may do: `read` the config, `write` changes, `admin` roll back, reset, import and export secrets. */
export type AdminRole = 'read' | 'write' | 'admin'

/** How callers authenticate: `'token'` (bearer tokens) or `'none'` (every caller is an anonymous admin). */
export type AdminAuth = 'token' | 'none'

/** One bearer token. Its `name` becomes the `actor` of every change made with it. */
export interface AdminToken {
  /** Shown as the actor in history, events and the audit log. */
  readonly name: string
  /** The secret the client sends as `Authorization: Bearer <token>`: at least 16 URL-safe characters. */
  readonly token: string
  readonly role: AdminRole
}

/** Options of `createAdminApp`. */
export interface AdminAppOptions {
  /** Where the routes are mounted. @default '/config' */
  readonly base?: string
  /**
   * Bearer tokens. Without any (and `auth: 'token'`), one random `admin` token named `admin` is generated when the
   * app is made, logged with how to send it, and readable as `generatedToken` (and `onListen`'s `token`); that is
   * refused in `production`, where tokens must be given.
   * @default []
   */
  readonly tokens?: readonly AdminToken[]
  /**
   * `'none'` turns authentication off: every caller is an `admin` named `anonymous`. It is logged as a warning and
   * refused in `production`, beside `tokens`, and by `serveAdmin` on any host but loopback.
   * @default 'token'
   */
  readonly auth?: AdminAuth
  /** Largest request body in bytes; larger ones get 413. @default 256 * 1024 */
  readonly bodyLimit?: number
  /** Serve Prometheus metrics at `GET /metrics` (loads `prom-client` lazily). @default true */
  readonly metrics?: boolean
  /** Prefix of every metric name. @default 'hotconf_' */
  readonly metricsPrefix?: string
  /**
   * Serve the admin console, a web page to see, change, review and roll back the config, at `<base>/ui/`. It is
   * static (every call it makes goes through this API with the user's token) and needs no extra server.
   * @default true
   */
  readonly ui?: boolean
  /** Interval of the keep-alive comment on `GET /stream`, so proxies do not close an idle stream. @default 15_000 */
  readonly heartbeatMs?: number
  /** Most `GET /stream` clients at once; one more gets 503 (`TOO_MANY_STREAMS`) with `Retry-After`. @default 100 */
  readonly maxStreams?: number
  /**
   * Bytes of events a `GET /stream` client may leave unread (beyond what its socket buffers) before it is
   * disconnected; it can resume with `Last-Event-ID`. One event larger than this still goes out.
   * @default 1_048_576
   */
  readonly streamBacklogBytes?: number
  /** Where unexpected errors (answered with a bare 500), a generated token and `auth: 'none'` are logged. @default console */
  readonly logger?: Pick<Logger, 'error' | 'warn' | 'info'>
  /** When aborted, open event streams end cleanly (a server shutting down passes its signal). @default undefined */
  readonly signal?: AbortSignal
}

/** Where `serveAdmin` listens, reported once the socket is bound. */
export interface AdminAddress {
  /** The bound address, e.g. `127.0.0.1`. */
  readonly address: string
  /** The bound port (the real one when `port: 0` asked for an ephemeral port). */
  readonly port: number
  /** The base URL of the API, e.g. `http://127.0.0.1:7070/config`. */
  readonly url: string
  /** The admin token generated at start because no tokens were given; absent otherwise. */
  readonly token?: string
}

/** Options of `serveAdmin`: the app's options plus where to listen. */
export interface ServeAdminOptions extends AdminAppOptions {
  /** Interface to bind. Anything but loopback needs `tokens`. @default '127.0.0.1' */
  readonly host?: string
  /** Port to bind; `0` picks a free one (see `onListen`). @default 7070 */
  readonly port?: number
  /** Called with the bound address once the server listens. @default undefined */
  readonly onListen?: (address: AdminAddress) => void
  /** The adapter's name in `status().adapters` and logs. @default 'http' */
  readonly name?: string
  /** How long `dispose` waits for requests in flight before it cuts the remaining connections. @default 5000 */
  readonly closeGraceMs?: number
  /**
   * How long a client may take to send a request's headers before the server answers 408 and closes the
   * connection, so slow senders (slowloris) cannot hold connections. At most `requestTimeoutMs`. @default 10_000
   */
  readonly headersTimeoutMs?: number
  /**
   * How long a client may take to send a whole request, body included (408 and closed past it). It bounds receiving
   * only: an event stream stays open as long as the client reads it. @default 30_000
   */
  readonly requestTimeoutMs?: number
}
