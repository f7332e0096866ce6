import type { IncomingMessage } from 'node:http'
import type { CliIo } from '../io.ts'
import { type Connection, ok, refused, send } from './connection.ts'
import { changeLines, type HistoryRecord } from './format.ts'

/**
 * Follows `GET /stream` until the process is stopped: one line per changed path (`--json`: one JSON change set per
 * line). A dropped connection is retried with `Last-Event-ID`, so the commits made meanwhile arrive from history;
 * when history no longer reaches back, the service says `resync` and so does this, on stderr. Refusals (401, 403)
 * and a service that cannot be reached at first end it with exit 3.
 */
export async function followChanges(conn: Connection, io: CliIo, json: boolean): Promise<void> {
  let lastId: string | undefined
  let delay = MIN_DELAY_MS
  for (let first = true; ; first = false) {
    const response = await open(conn, lastId, first)
    if (response === undefined) {
      delay = Math.min(delay * 2, MAX_DELAY_MS)
      await sleep(delay)
      continue
    }
    delay = MIN_DELAY_MS
    for await (const event of serverEvents(response)) {
      if (event.id !== undefined) lastId = event.id
      if (event.type === 'change') print(io, json, JSON.parse(event.data) as HistoryRecord)
      if (event.type === 'ready') io.err(`hotconf watch: following ${conn.base} from #${event.id}`)
      if (event.type === 'resync')
        io.err('hotconf watch: missed changes are no longer in history; read the config again (hotconf get)')
    }
    io.err('hotconf watch: the connection dropped; resuming')
  }
}

// --- internal ---

const MIN_DELAY_MS = 100
const MAX_DELAY_MS = 5000

interface ServerEvent {
  readonly type: string
  readonly id: string | undefined
  readonly data: string
}

/** Opens the stream. After the first connection, an unreachable or unavailable service is `undefined`: retry. */
async function open(
  conn: Connection,
  lastId: string | undefined,
  first: boolean,
): Promise<IncomingMessage | undefined> {
  let response: IncomingMessage
  try {
    response = await send(conn, 'GET', '/stream', {
      headers: { accept: 'text/event-stream', ...(lastId === undefined ? {} : { 'last-event-id': lastId }) },
      stream: true,
    })
  } catch (error) {
    if (first) throw error
    return undefined
  }
  if (ok(response)) return response
  const failure = await refused(conn, response)
  if (first || (response.statusCode ?? 0) < 500) throw failure
  return undefined
}

function print(io: CliIo, json: boolean, set: HistoryRecord): void {
  if (json) {
    io.out(JSON.stringify(set))
    return
  }
  const who = [
    set.actor ? `by ${set.actor}` : '',
    set.source ? `via ${set.source}` : '',
    set.reason ? `"${set.reason}"` : '',
  ]
  const meta = who.filter((w) => w !== '').join(' ')
  for (const line of changeLines(io, set.changes))
    io.out(`#${set.revision}  ${line}${meta ? `  (${meta})` : ''}`)
}

/** The events of a `text/event-stream` body, as the SSE spec splits them; ends when the connection does. */
async function* serverEvents(response: IncomingMessage): AsyncGenerator<ServerEvent> {
  response.setEncoding('utf8')
  let buffer = ''
  let event: { type: string; id: string | undefined; data: string[] } = {
    type: 'message',
    id: undefined,
    data: [],
  }
  try {
    for await (const chunk of response) {
      buffer += chunk as string
      const lines = buffer.split(/\r\n|\r|\n/)
      buffer = lines.pop() ?? ''
      for (const line of lines) {
        if (line === '') {
          if (event.data.length) yield { type: event.type, id: event.id, data: event.data.join('\n') }
          event = { type: 'message', id: undefined, data: [] }
          continue
        }
        const colon = line.indexOf(':')
        if (colon === 0) continue
        const field = colon < 0 ? line : line.slice(0, colon)
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
        if (field === 'event') event.type = value
        else if (field === 'id') event.id = value
        else if (field === 'data') event.data.push(value)
      }
    }
  } catch {
    // A connection reset mid-stream ends the stream like a close does: the caller resumes.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
