import { readFile } from 'node:fs/promises'
import { connect, createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ADMIN, READ, type Served, serveTestStore } from '../adapters/http/fixture.ts'
import { useTempDirs } from '../support/temp-dir.ts'
import { FIXTURES, hotconf, spawnCli } from './run-cli.ts'

const tempDir = useTempDirs('hotconf-cli-')
let served: Served

beforeEach(async () => {
  served = await serveTestStore()
})
afterEach(() => served.store.close())

// Every test starts Node processes that compile TypeScript: slow on a busy 2-core machine.
describe('hotconf as a process (#19)', { timeout: 180_000 }, () => {
  it('get loads neither the store nor zod, rxjs, xstate or immer', async () => {
    const log = join(await tempDir(), 'modules.txt')
    const run = await hotconf(['get', 'pool.max'], {
      node: ['--import', join(FIXTURES, 'record-modules.mjs')],
      env: { HOTCONF_URL: served.url, HOTCONF_TOKEN: READ, HOTCONF_MODULE_LOG: log },
    })
    expect(run).toMatchObject({ code: 0, stdout: '10\n' })
    const modules = (await readFile(log, 'utf8')).trim().split('\n')
    const ours = modules.filter((m) => m.includes('/src/')).map((m) => m.replace(/^.*\/src\//, 'src/'))
    expect(ours).toContain('src/cli/online/run-online.ts')
    expect(ours.filter((m) => !m.startsWith('src/cli/') || m.includes('/offline/'))).toEqual([])
    expect(modules.filter((m) => /node_modules\/(zod|rxjs|xstate|immer|yaml)\//.test(m))).toEqual([])
  })

  it('watch prints a change another client makes, and resumes with Last-Event-ID after a dropped connection', async () => {
    const proxy = await tcpProxy(served.address.port)
    const watch = spawnCli(['watch', '--url', `http://127.0.0.1:${proxy.port}/config`, '--token', ADMIN])
    try {
      const lines = linesOf(watch.stdout)
      const errors = linesOf(watch.stderr)
      await until(() => errors.some((e) => e.includes('following')), 'the stream to open')
      await served.store.set('pool.max', 20, { actor: 'ops', reason: 'spike' })
      await until(() => lines.length >= 1, `the first change (stderr: ${errors.join(' ')})`)
      expect(lines[0]).toBe('#2  pool.max: 10 → 20  (by ops via api "spike")')

      // The title replaced the command line other users see in ps.
      const cmdline = await readFile(`/proc/${watch.pid}/cmdline`, 'utf8')
      expect(cmdline).not.toContain(ADMIN)

      proxy.drop()
      await served.store.set('pool.max', 30)
      proxy.resume()
      await until(() => lines.length >= 2, `the change made while dropped (stderr: ${errors.join(' ')})`)
      expect(lines[1]).toBe('#3  pool.max: 20 → 30  (via api)')
      expect(errors).toEqual([
        `hotconf watch: following http://127.0.0.1:${proxy.port}/config from #1`,
        'hotconf watch: the connection dropped; resuming',
        `hotconf watch: following http://127.0.0.1:${proxy.port}/config from #3`,
      ])
    } finally {
      watch.kill()
      await proxy.close()
    }
  })
})

// --- internal ---

function linesOf(stream: NodeJS.ReadableStream): string[] {
  const lines: string[] = []
  let rest = ''
  stream.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n')
    rest = parts.pop() ?? ''
    lines.push(...parts)
  })
  return lines
}

/** Waits for `condition`; generous, since the child compiles TypeScript on a busy machine. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** A TCP proxy to the service that can cut every connection and refuse new ones until `resume`. */
async function tcpProxy(target: number) {
  const sockets = new Set<Socket>()
  let refusing = false
  const server = createServer((client) => {
    if (refusing) return void client.destroy()
    const upstream = connect({ host: '127.0.0.1', port: target })
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {})
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    port,
    open: () => sockets.size,
    drop() {
      refusing = true
      for (const s of sockets) s.destroy()
    },
    resume() {
      refusing = false
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
