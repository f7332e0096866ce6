import { spawnSync } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ChildServer, poll, startChildServer } from './child-server.ts'
import { freePorts } from './free-ports.ts'

/** The etcd binary tests and examples start; `ETCD_BIN` overrides the one on `PATH`. */
export const ETCD_BIN = process.env.ETCD_BIN ?? 'etcd'

/** True when the etcd binary runs here (`etcd --version`), so etcd tests can run instead of skipping. */
export const etcdAvailable: boolean = spawnSync(ETCD_BIN, ['--version'], { stdio: 'ignore' }).status === 0

/** Why etcd tests skip, for a loud `console.warn`, or `undefined` when they can run. */
export const etcdMissingReason: string | undefined = etcdAvailable
  ? undefined
  : `etcd tests skipped: the '${ETCD_BIN}' binary is not installed (apt-get install -y etcd-server, or set ETCD_BIN)`

/** A single-node etcd child process on loopback with its own temp data dir. */
export interface EtcdServer extends ChildServer {
  /** The client URL, e.g. `http://127.0.0.1:40123`, for `new Etcd3({ hosts })`. */
  readonly endpoint: string
  readonly dataDir: string
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
  const server = await startChildServer({
    name: 'etcd',
    dir: dataDir,
    command: ETCD_BIN,
    args,
    stopTimeoutMs,
    ready: () =>
      poll(async () => {
        const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) })
        return ((await res.json()) as { health?: string }).health === 'true'
      }, readyTimeoutMs),
  })
  return Object.assign(server, { endpoint, dataDir })
}
