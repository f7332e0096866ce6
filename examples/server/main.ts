// The demo: a small HTTP service whose behaviour follows its config, changed live by file edits, SIGHUP and the
// admin API. Run: npm start. `--smoke` runs a scripted tour and exits (CI uses it).
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createConfigStore } from 'hotconf'
import { watchFiles } from 'hotconf/file'
import { serveAdmin } from 'hotconf/http'
import { onSignal } from 'hotconf/signal'
import { envSource, fileSource } from 'hotconf/sources'
import { printTransactions } from './print-transactions.ts'
import { schema } from './schema.ts'
import { smokeTour } from './smoke-tour.ts'

const here = dirname(fileURLToPath(import.meta.url))
const smoke = process.argv.includes('--smoke')
// Without ADMIN_TOKEN the admin API generates a token at start and hands it to onListen.
let token = process.env.ADMIN_TOKEN ?? ''
let adminUrl = ''
// The demo works on a copy of its config, never on the tracked files: a fresh one for the scripted tour, and for
// `npm start` one that stays between runs, so runtime changes (persisted beside it) survive a restart.
const workDir = smoke
  ? await mkdtemp(join(tmpdir(), 'hotconf-demo-'))
  : (process.env.HOTCONF_DEMO_DIR ?? join(tmpdir(), 'hotconf-demo'))
await mkdir(workDir, { recursive: true })
// Files already there are the user's edits: keep them.
await cp(join(here, 'config'), join(workDir, 'config'), { recursive: true, force: false })

const store = await createConfigStore({
  schema,
  environment: process.env.APP_ENV ?? process.env.NODE_ENV ?? 'development',
  sources: [
    fileSource(join(workDir, 'config/default.yaml')),
    fileSource(join(workDir, 'config/{environment}.yaml'), { optional: true }),
    envSource({ prefix: 'APP_' }),
  ],
  // Warnings reach the console through printTransactions (events$); only errors go to the logger.
  logger: { debug() {}, info() {}, warn() {}, error: (msg) => console.error(msg) },
  overrides: { file: join(workDir, '.hotconf/overrides.json') },
  audit: { file: join(workDir, '.hotconf/audit.jsonl') },
  adapters: [
    watchFiles({ debounceMs: 50 }),
    onSignal('SIGHUP'),
    serveAdmin({
      port: Number(process.env.ADMIN_PORT ?? (smoke ? 0 : 7070)),
      ...(token === '' ? {} : { tokens: [{ name: 'demo-admin', token, role: 'admin' as const }] }),
      onListen: (listening) => {
        adminUrl = listening.url
        token = listening.token ?? token
      },
    }),
  ],
})
// The scripted tour checks what the demo printed.
const printed: string[] = []
printTransactions(store, (line) => {
  if (smoke) printed.push(line)
  console.log(line)
})

// The service reads the live config on every request: no restart, no stale copy.
const hits: number[] = []
const server = createServer((req, res) => {
  const { greeting, rateLimit, features } = store.current
  const now = Date.now()
  while (hits.length > 0 && hits[0]! < now - 60_000) hits.shift()
  if (hits.length >= rateLimit.perMinute) {
    res.writeHead(429, { 'content-type': 'text/plain' }).end(`rate limit: ${rateLimit.perMinute}/min\n`)
    return
  }
  hits.push(now)
  const text = `${greeting.text}, ${greeting.name}!`
  res.writeHead(200, { 'content-type': 'text/plain' }).end(`${features.shout ? text.toUpperCase() : text}\n`)
  void req
})
const port = smoke ? 0 : store.current.service.port
await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
const address = server.address()
const serviceUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}/`

console.log(`service   ${serviceUrl}   (try: curl ${serviceUrl})`)
console.log(`admin API ${adminUrl}   token: ${token}`)
console.log(`console   ${adminUrl}/ui/   (sign in with the token)`)
console.log(`edit ${join(workDir, 'config/development.yaml')} (a copy: rm -r ${workDir} starts over)`)
console.log(`or reload by hand: kill -HUP ${process.pid}`)

const shutdown = async () => {
  server.close()
  await store.close()
}
if (smoke) {
  await smokeTour({ store, serviceUrl, adminUrl, token, configDir: join(workDir, 'config'), printed })
  await shutdown()
  await rm(workDir, { recursive: true, force: true })
} else {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown())
}
