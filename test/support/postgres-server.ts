import { spawnSync } from 'node:child_process'
import { chownSync, existsSync, readdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { type ChildServer, poll, startChildServer } from './child-server.ts'
import { freePorts } from './free-ports.ts'

/** Where `initdb` and `postgres` live: `PG_BIN`, else the newest of Debian's `/usr/lib/postgresql/<major>/bin`. */
export const PG_BIN = process.env.PG_BIN ?? debianBin()

/** True when the PostgreSQL server binaries run here, so PostgreSQL tests can run instead of skipping. */
export const postgresAvailable: boolean =
  existsSync(join(PG_BIN, 'initdb')) &&
  spawnSync(join(PG_BIN, 'postgres'), ['--version'], { stdio: 'ignore' }).status === 0

/** Why PostgreSQL tests skip, for a loud `console.warn`, or `undefined` when they can run. */
export const postgresMissingReason: string | undefined = postgresAvailable
  ? undefined
  : `PostgreSQL tests skipped: no initdb/postgres in ${PG_BIN} (apt-get install -y postgresql, or set PG_BIN)`

/** A PostgreSQL child process on loopback with its own temp cluster. */
export interface PostgresServer extends ChildServer {
  /** e.g. `postgres://postgres@127.0.0.1:40123/postgres`. */
  readonly connectionString: string
}

/**
 * `initdb` into a temp dir and `postgres` on a free loopback port, waiting until it answers a query. `stop()` is a
 * fast shutdown (SIGINT: every connection is cut). PostgreSQL refuses to run as root: when the tests do, the server
 * runs as `nobody`, its dir chowned to it.
 */
export async function startPostgres(readyTimeoutMs = 20_000): Promise<PostgresServer> {
  const dir = await mkdtemp(join(tmpdir(), 'hotconf-pg-'))
  const data = join(dir, 'data')
  const asRoot = process.getuid?.() === 0
  const run = (bin: string, args: string[]): [string, string[]] =>
    asRoot
      ? ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', join(PG_BIN, bin), ...args]]
      : [join(PG_BIN, bin), args]
  if (asRoot) chownSync(dir, idOf('passwd', 'nobody'), idOf('group', 'nogroup'))
  const [port] = await freePorts(1)
  const connectionString = `postgres://postgres@127.0.0.1:${port}/postgres`
  const init = spawnSync(
    ...run('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-sync',
      '--no-instructions',
    ]),
    { encoding: 'utf8' },
  )
  if (init.status !== 0) {
    await rm(dir, { recursive: true, force: true })
    throw new Error(`initdb failed:\n${init.stderr}`)
  }
  // Durability is not under test: fsync off keeps commits (and the figures of bench/propagation.ts) cheap.
  const settings = [
    'listen_addresses=127.0.0.1',
    'fsync=off',
    'synchronous_commit=off',
    'full_page_writes=off',
  ]
  const [command, args] = run('postgres', [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    ...settings.flatMap((s) => ['-c', s]),
  ])
  const server = await startChildServer({
    name: 'postgres',
    dir,
    command,
    args,
    stopSignal: 'SIGINT',
    stopTimeoutMs: 5_000,
    ready: () =>
      poll(async () => {
        const client = new pg.Client({ connectionString, connectionTimeoutMillis: 1000 })
        client.on('error', () => {})
        try {
          await client.connect()
          await client.query('SELECT 1')
          return true
        } finally {
          await client.end().catch(() => {})
        }
      }, readyTimeoutMs),
  })
  return Object.assign(server, { connectionString })
}

// --- internal ---

function debianBin(): string {
  const root = '/usr/lib/postgresql'
  const majors = existsSync(root) ? readdirSync(root).filter((d) => /^\d+$/.test(d)) : []
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0] ?? '15'
  return join(root, newest, 'bin')
}

function idOf(database: 'passwd' | 'group', name: string): number {
  return Number(spawnSync('getent', [database, name], { encoding: 'utf8' }).stdout.split(':')[2])
}
