import type { Context } from 'hono'
import type { ChangeSet } from '../../types.ts'
import type { AnyStore } from './admin-context.ts'
import { toJson } from './json.ts'
import { fail } from './problem.ts'
import type { StreamRegistry } from './stream-registry.ts'
import { redactChanges } from './write-result.ts'

/** How one event stream behaves. */
export interface StreamOptions {
  /** The revision the client saw last (`Last-Event-ID`), if it sent one. */
  readonly lastEventId: number | undefined
  readonly heartbeatMs: number
  /** Bytes the client may fall behind by before it is disconnected. */
  readonly backlogBytes: number
  readonly streams: StreamRegistry
}

/**
 * Server-Sent Events of committed changes: one `change` event per `ChangeSet`, `id:` = its revision, secrets
 * redacted. A client that sends `Last-Event-ID` first gets the commits it missed, from history; when history no
 * longer reaches back that far (or they are more than `backlogBytes`) it gets a `resync` event (re-read `GET /`).
 * Then a `ready` event whose id is the live revision, then live commits in order. Ends when the client leaves, the
 * store closes or the registry's signal aborts.
 *
 * Bounded: 503 (`TOO_MANY_STREAMS`, `Retry-After`) when the registry is full; a client whose unread events pass
 * `backlogBytes` is disconnected (it can resume with `Last-Event-ID`); `HEAD` gets the headers and opens nothing.
 */
export function streamChanges(c: Context, store: AnyStore, options: StreamOptions): Response {
  if (c.req.method === 'HEAD') return new Response(null, { headers: SSE_HEADERS })
  if (!options.streams.hasRoom()) {
    fail(503, 'TOO_MANY_STREAMS', `at most ${options.streams.max} event streams may be open at once`, [], {
      'retry-after': RETRY_AFTER_S,
    })
  }
  let cancel = () => {}
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        cancel = follow(controller, store, c.req.raw.signal, () => disconnect(c, controller), options)
      },
      cancel: () => cancel(),
    },
    // The queue is the client's backlog, counted in bytes: `desiredSize` says how far it is behind.
    { highWaterMark: options.backlogBytes, size: (chunk) => chunk.byteLength },
  )
  return new Response(body, { headers: SSE_HEADERS })
}

// --- internal ---

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }
const RETRY_AFTER_S = '5'
const ENCODER = new TextEncoder()
// A commit reaches every stream in turn: it is redacted, serialized and encoded once for all of them. One slot,
// not a cache per change set, since history keeps those alive.
let lastEncoded: { readonly changeSet: ChangeSet; readonly bytes: Uint8Array } | undefined

/** Replays, subscribes and keeps the stream alive; returns what ends it when the client goes away. */
function follow(
  controller: ReadableStreamDefaultController<Uint8Array>,
  store: AnyStore,
  requestSignal: AbortSignal,
  drop: () => void,
  { lastEventId, heartbeatMs, backlogBytes, streams }: StreamOptions,
): () => void {
  let open = true
  let subscription: { unsubscribe(): void } | undefined
  let heartbeat: ReturnType<typeof setInterval> | undefined
  /** Releases the subscription, the timer and the listeners; false when already done. */
  const finish = () => {
    if (!open) return false
    open = false
    clearInterval(heartbeat)
    subscription?.unsubscribe()
    requestSignal.removeEventListener('abort', gone)
    streams.delete(close)
    return true
  }
  const gone = () => void finish()
  const close = () => finish() && controller.close()
  const send = (text: string | Uint8Array) => {
    if (!open) return
    const chunk = typeof text === 'string' ? ENCODER.encode(text) : text
    const queued = backlogBytes - (controller.desiredSize ?? 0)
    // A client that stopped reading is dropped rather than buffered without end; one big event still goes out.
    if (queued > 0 && queued + chunk.byteLength > backlogBytes) {
      if (finish()) drop()
      return
    }
    controller.enqueue(chunk)
  }
  const changeEvent = (changeSet: ChangeSet) => {
    if (lastEncoded?.changeSet !== changeSet) {
      const view = { ...changeSet, changes: redactChanges(store, changeSet.changes) }
      lastEncoded = { changeSet, bytes: ENCODER.encode(event('change', toJson(view), changeSet.revision)) }
    }
    return lastEncoded.bytes
  }
  let last = 0
  const sendChange = (changeSet: ChangeSet) => {
    if (changeSet.revision <= last) return
    last = changeSet.revision
    send(changeEvent(changeSet))
  }

  streams.add(close) // `hasRoom()` held in this same tick
  // Replay and subscribe in one synchronous step: no commit can slip between them.
  const live = store.revision
  const resync = (reason: string) => send(event('resync', toJson({ revision: live, reason })))
  if (lastEventId !== undefined && lastEventId < live) {
    const missed = store.history().filter((e) => e.revision > lastEventId)
    const texts = missed.length === live - lastEventId ? missed.reverse().map(changeEvent) : undefined
    if (!texts) resync(`history no longer holds revision ${lastEventId + 1}`)
    else if (texts.reduce((n, t) => n + t.byteLength, 0) > backlogBytes)
      resync(`the commits after revision ${lastEventId} are more than the stream's backlog`)
    else for (const text of texts) send(text)
  } else if (lastEventId !== undefined && lastEventId > live) {
    resync(`revision ${lastEventId} is not known here`)
  }
  last = live
  send(event('ready', toJson({ revision: live }), live))
  if (!open) return gone
  heartbeat = setInterval(() => send(': keep-alive\n\n'), heartbeatMs)
  // Completes when the store closes, which ends the stream cleanly.
  subscription = store.changes$.subscribe({ next: sendChange, complete: close })
  requestSignal.addEventListener('abort', gone, { once: true })
  if (requestSignal.aborted) gone()
  return gone
}

/**
 * Cuts a client that fell behind. On @hono/node-server it destroys the Node response (erroring the body would make
 * the server log the error); elsewhere it errors the body, which makes the runtime abort the response.
 */
function disconnect(c: Context, controller: ReadableStreamDefaultController<Uint8Array>): void {
  const outgoing = (c.env as { outgoing?: { destroy?: unknown } } | undefined)?.outgoing
  if (typeof outgoing?.destroy === 'function') outgoing.destroy()
  else controller.error(new Error('the event-stream client fell behind'))
}

/** One SSE event; `data` is JSON, which never holds a raw line break. */
function event(name: string, data: string, id?: number): string {
  return `event: ${name}\ndata: ${data}\n${id === undefined ? '' : `id: ${id}\n`}\n`
}
