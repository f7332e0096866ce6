import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The etcd binary tests and examples start; `ETCD_BIN` overrides the one on `PATH`. */
export const ETCD_BIN = process.env.ETCD_BIN ?? 'etcd'

/** True when the etcd binary runs here (`etcd --version`), so etcd tests can run instead of skipping. */
export const etcdAvailable: boolean = spawnSync(ETCD_BIN, ['--version'], { stdio: 'ignore' }).status === 0

/** Why etcd tests skip, for a loud `console.warn`, or `undefined` when they can run. */
export const etcdMissingReason: string | undefined = etcdAvailable
  ? undefined
  : `etcd tests skipped: the '${ETCD_BIN}' binary is not installed (apt-get install -y etcd-server, or set ETCD_BIN)`

/** A single-node etcd child process on loopback with its own temp data dir. */
export interface EtcdServer {
  /** The client URL, e.g. `http://127.0.0.1:40123`, for `new Etcd3({ hosts })`. */
  readonly endpoint: string
  readonly dataDir: string
  /** True between a successful start and `stop()`. */
  readonly running: boolean
  /** Stops the process (SIGTERM, then SIGKILL) and keeps the data dir, so `start()` can bring the same node back. */
  stop(): Promise<void>
  /** Starts it again on the same ports and data dir, and waits until it answers. */
  start(): Promise<void>
  /** Stops it and removes the data dir. */
  close(): Promise<void>
}

export interface StartEtcdOptions {
  /** How long to wait for `/health` before giving up. @default 15000 */
  readonly readyTimeoutMs?: number
  /** How long SIGTERM gets before SIGKILL. @default 3000 */
  readonly stopTimeoutMs?: number
}

/**
 * Starts a real etcd on free loopback ports with a temp data dir and waits until `/health` says so.
 * Throws with etcd's own output when it does not come up.
 *
 * @example
 * const etcd = await startEtcd()
 * const client = new Etcd3({ hosts: etcd.endpoint })
 * await etcd.close()
 */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdServer> {
  const { readyTimeoutMs = 15_000, stopTimeoutMs = 3_000 } = options
  const dataDir = await mkdtemp(join(tmpdir(), 'hotconf-etcd-'))
  const [clientPort, peerPort] = await freePorts(2)
  const endpoint = `http://127.0.0.1:${clientPort}`
  const peer = `http://127.0.0.1:${peerPort}`
  const args = [
    '--name=hotconf-test',
    `--data-dir=${join(dataDir, 'data')}`,
    `--listen-client-urls=${endpoint}`,
    `--advertise-client-urls=${endpoint}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=hotconf-test=${peer}`,
    '--initial-cluster-state=new',
    // A single member elects itself after one election timeout: keep it short so tests start fast.
    '--heartbeat-interval=10',
    '--election-timeout=100',
    '--log-level=error',
  ]
  let child: ChildProcess | undefined
  // A crash or a forgotten close() must not leave an etcd running: 'exit' runs even on an uncaught exception.
  const reap = () => {
    child?.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  }
  process.once('exit', reap)

  async function start(): Promise<void> {
    if (child) return
    const proc = spawn(ETCD_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    child = proc
    let output = ''
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      output = (output + chunk).slice(-4000)
    })
    const exited = new Promise<string>((resolve) => {
      proc.once('error', (err) => resolve(err.message))
      proc.once('exit', (code, signal) => resolve(`exited with ${signal ?? code}`))
    })
    proc.once('exit', () => {
      if (child === proc) child = undefined
    })
    const ready = await Promise.race([waitHealthy(endpoint, readyTimeoutMs), exited.then(() => false)])
    if (!ready) {
      const why = await Promise.race([exited, Promise.resolve('did not become healthy in time')])
      await stop()
      throw new Error(`etcd ${why}:\n${output}`)
    }
  }

  async function stop(): Promise<void> {
    const proc = child
    if (!proc) return
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), stopTimeoutMs)
    await gone
    clearTimeout(timer)
  }

  try {
    await start()
  } catch (error) {
    process.off('exit', reap)
    await rm(dataDir, { recursive: true, force: true })
    throw error
  }
  return {
    endpoint,
    dataDir,
    get running() {
      return child !== undefined
    },
    start,
    stop,
    async close() {
      process.off('exit', reap)
      await stop()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

// --- internal ---

/** Binds port 0 `count` times at once (so the ports differ) and releases them for etcd. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer()
          server.once('error', reject)
          server.listen(0, '127.0.0.1', () => resolve(server))
        }),
    ),
  )
  const ports = servers.map((s) => {
    const address = s.address()
    if (address === null || typeof address === 'string') throw new Error('no TCP address')
    return address.port
  })
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  return ports
}

async function waitHealthy(endpoint: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) })
      const body = (await res.json()) as { health?: string }
      if (body.health === 'true') return true
    } catch {
      // Not listening yet: poll again.
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return false
}
