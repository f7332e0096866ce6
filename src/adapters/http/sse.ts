import type { Context } from 'hono'
import { type SSEMessage, streamSSE } from 'hono/streaming'
import type { ChangeSet } from '../../types.ts'
import type { AnyStore } from './admin-context.ts'
import { toJson } from './json.ts'
import { redactChanges } from './write-result.ts'

/**
 * Server-Sent Events of committed changes: one `change` event per `ChangeSet`, `id:` = its revision, secrets
 * redacted. A client that sends `Last-Event-ID` first gets the commits it missed, from history; when history no
 * longer reaches back that far it gets a `resync` event (re-read `GET /`). Then a `ready` event whose id is the
 * live revision, then live commits in order. Ends when the client leaves, the store closes or `signal` aborts.
 */
export function streamChanges(
  c: Context,
  store: AnyStore,
  options: {
    readonly lastEventId: number | undefined
    readonly heartbeatMs: number
    readonly signal: AbortSignal | undefined
  },
): Response {
  return streamSSE(c, async function changeStream(stream) {
    let chain = Promise.resolve()
    // writeSSE is async: chain the writes so events leave in commit order.
    const send = (message: SSEMessage | string) => {
      chain = chain.then(async () => {
        if (typeof message === 'string') await stream.write(message)
        else await stream.writeSSE(message)
      })
    }
    let last = 0
    const sendChange = (changeSet: ChangeSet) => {
      if (changeSet.revision <= last) return
      last = changeSet.revision
      const view = { ...changeSet, changes: redactChanges(store, changeSet.changes) }
      send({ id: String(changeSet.revision), event: 'change', data: toJson(view) })
    }
    await new Promise<void>((resolve) => {
      // Replay and subscribe in one synchronous step: no commit can slip between them.
      const live = store.revision
      const { lastEventId } = options
      if (lastEventId !== undefined && lastEventId < live) {
        const missed = store.history().filter((e) => e.revision > lastEventId)
        if (missed.length === live - lastEventId) {
          last = lastEventId
          for (const entry of missed.reverse()) sendChange(entry)
        } else {
          send({
            event: 'resync',
            data: toJson({ revision: live, reason: `history no longer holds revision ${lastEventId + 1}` }),
          })
        }
      } else if (lastEventId !== undefined && lastEventId > live) {
        send({
          event: 'resync',
          data: toJson({ revision: live, reason: `revision ${lastEventId} is not known here` }),
        })
      }
      last = live
      send({ id: String(live), event: 'ready', data: toJson({ revision: live }) })
      // Completes when the store closes; the teardown below then ends the stream.
      const subscription = store.changes$.subscribe(sendChange)
      const heartbeat = setInterval(() => send(': keep-alive\n\n'), options.heartbeatMs)
      const signals = [c.req.raw.signal, options.signal].filter((x) => x !== undefined)
      const stop = () => subscription.unsubscribe()
      subscription.add(() => {
        clearInterval(heartbeat)
        // The server's signal outlives many streams: leave no listener behind.
        for (const signal of signals) signal.removeEventListener('abort', stop)
        resolve()
      })
      stream.onAbort(stop)
      for (const signal of signals) {
        signal.addEventListener('abort', stop, { once: true })
        if (signal.aborted) stop()
      }
    })
    await chain
  })
}
