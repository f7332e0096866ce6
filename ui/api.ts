/** An RFC 9457 problem as the admin API answers it. */
export interface Problem {
  readonly status: number
  readonly code: string
  readonly detail: string
  readonly errors: readonly { readonly path: string; readonly code: string; readonly message: string }[]
}

/** A call's outcome: the JSON body and ETag, or the problem. */
export type Reply<T> =
  | { readonly ok: true; readonly value: T; readonly etag: string | null }
  | { readonly ok: false; readonly problem: Problem }

export interface Api {
  call<T>(method: string, path: string, init?: CallInit): Promise<Reply<T>>
  /** `GET /stream` as a fetch (EventSource cannot send the token). */
  stream(lastEventId: string | undefined, signal: AbortSignal): Promise<Response>
}

export interface CallInit {
  readonly body?: unknown
  readonly headers?: Record<string, string>
}

/**
 * The admin API as seen from the page: the page lives at `<base>/ui/`, so `<base>` is its URL without `ui/`.
 * A 401 anywhere calls `unauthorized` (the token was revoked or the server restarted with other tokens).
 */
export function createApi(token: string, unauthorized: () => void): Api {
  const root = location.pathname.replace(/ui\/[^/]*$/, '')
  // `''` is the base itself, without a trailing slash; a query (`?ttl=15m`) goes after whichever path it is.
  const url = (path: string) => {
    const [route = '', query] = path.split('?', 2)
    const base = route === '' ? root.replace(/(.)\/$/, '$1') : root + route
    return query === undefined ? base : `${base}?${query}`
  }
  const auth = { authorization: `Bearer ${token}` }
  return {
    async call<T>(method: string, path: string, init: CallInit = {}): Promise<Reply<T>> {
      const headers: Record<string, string> = { ...auth, ...init.headers }
      if (init.body !== undefined) headers['content-type'] ??= 'application/json'
      let res: Response
      try {
        res = await fetch(url(path), {
          method,
          headers,
          cache: 'no-store',
          ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        })
      } catch (error) {
        return {
          ok: false,
          problem: problem(0, 'NETWORK', `the server cannot be reached (${String(error)})`),
        }
      }
      if (res.status === 401) unauthorized()
      if (res.ok) {
        const value = (res.status === 204 ? undefined : await res.json()) as T
        return { ok: true, value, etag: res.headers.get('etag') }
      }
      const body = (await res.json().catch(() => ({}))) as Partial<Problem>
      return {
        ok: false,
        problem: {
          ...problem(res.status, 'HTTP', `the server answered ${res.status}`),
          ...body,
          status: res.status,
        },
      }
    },
    stream(lastEventId, signal) {
      return fetch(url('stream'), {
        headers: { ...auth, ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }) },
        cache: 'no-store',
        signal,
      })
    },
  }
}

// --- internal ---

function problem(status: number, code: string, detail: string): Problem {
  return { status, code, detail, errors: [] }
}
