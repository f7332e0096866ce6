import type { Api } from './api.ts'

/** A named Server-Sent Event and its JSON data. */
export interface LiveEvent {
  readonly name: string
  readonly data: unknown
}

/**
 * Follows `GET /stream` over fetch (EventSource cannot send the token), reconnecting with `Last-Event-ID` so no
 * commit is missed. Returns what stops it.
 */
export function follow(
  api: Api,
  onEvent: (event: LiveEvent) => void,
  onState: (live: boolean) => void,
  unauthorized: () => void,
): () => void {
  const controller = new AbortController()
  let lastId: string | undefined
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const res = await api.stream(lastId, controller.signal)
        if (res.status === 401) return unauthorized()
        if (!res.ok || !res.body) throw new Error(`the stream answered ${res.status}`)
        onState(true)
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
        let buffer = ''
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          buffer += value
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            const event = parse(block)
            if (event.id !== undefined) lastId = event.id
            if (event.data !== undefined) onEvent({ name: event.name, data: JSON.parse(event.data) })
          }
        }
      } catch {
        // A dropped connection: retried below, unless it was stopped on purpose.
      }
      if (controller.signal.aborted) return
      onState(false)
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  }
  void run()
  return () => controller.abort()
}

// --- internal ---

function parse(block: string): { name: string; data?: string; id?: string } {
  const out: { name: string; data?: string; id?: string } = { name: 'message' }
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const field = line.slice(0, colon)
    const value = line.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') out.name = value
    else if (field === 'data') out.data = out.data === undefined ? value : `${out.data}\n${value}`
    else if (field === 'id') out.id = value
  }
  return out
}
