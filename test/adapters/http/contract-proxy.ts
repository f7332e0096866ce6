import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import type { Contract } from './contract.ts'

/** A loopback proxy in front of a served admin API that checks every exchange passing through it. */
export interface ContractProxy {
  /** The proxy's URL for the API's base, e.g. `http://127.0.0.1:41235/config`. */
  readonly url: string
  /** What the contract refused, one line per exchange. */
  readonly problems: readonly string[]
  close(): Promise<void>
}

/**
 * For clients the tests cannot hook (the CLI runs as a child process): each request is forwarded to `target` and
 * its response checked against `contract` before it is returned. An event stream is passed through as it flows;
 * its status and headers are the SSE tests' to check.
 */
export async function contractProxy(target: string, contract: Contract): Promise<ContractProxy> {
  const upstream = new URL(target)
  const problems: string[] = []
  const server = createServer(async (req, res) => {
    try {
      const url = `${upstream.origin}${req.url ?? '/'}`
      const headers = forwardedHeaders(req)
      const body = await bodyOf(req)
      const answer = await fetch(url, { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) })
      const type = answer.headers.get('content-type') ?? ''
      const out = Object.fromEntries([...answer.headers].filter(([k]) => !HOP.has(k)))
      if (type.startsWith('text/event-stream') && answer.body) {
        res.writeHead(answer.status, out)
        Readable.fromWeb(answer.body as never).pipe(res)
        return
      }
      const bytes = Buffer.from(await answer.arrayBuffer())
      const replay = new Response(answer.status === 204 || answer.status === 304 ? null : bytes, {
        status: answer.status,
        headers: answer.headers,
      })
      await contract
        .check({ method: req.method ?? 'GET', url, headers, body }, replay)
        .catch((error: unknown) => problems.push(String(error)))
      res.writeHead(answer.status, out).end(bytes)
    } catch (error) {
      problems.push(`proxy: ${String(error)}`)
      res.writeHead(502).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    problems,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

// --- internal ---

/** Headers of one connection, which the proxy does not pass on. */
const HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-encoding',
  'host',
])

function forwardedHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (!HOP.has(name) && typeof value === 'string') out[name] = value
  }
  return out
}

async function bodyOf(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : undefined
}
