import { mkdir, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { watchFiles } from '../src/adapters/file/index.ts'
import { serveAdmin } from '../src/adapters/http/index.ts'
import { issue } from '../src/errors.ts'
import { type Adapter, ConfigError, createConfigStore, type OverridesBackend } from '../src/index.ts'
import { fileSource } from '../src/sources/index.ts'
import { appSchema } from './fixtures/schemas.ts'
import { useTempDirs } from './support/temp-dir.ts'

const quiet = { debug() {}, info() {}, warn() {}, error() {} }

describe('adapters', () => {
  it('start after the store is ready, send changes through the pipeline, and stop on close', async () => {
    const log: string[] = []
    const adapter: Adapter = {
      name: 'test',
      async start(ctx) {
        log.push(`start r${ctx.store.revision}`)
        const result = await ctx.update({ pool: { max: 12 } } as never, { reason: 'from adapter' })
        log.push(result.status)
        ctx.signal.addEventListener('abort', () => log.push('aborted'))
        return { dispose: () => void log.push('disposed') }
      },
    }
    const store = await createConfigStore({ schema: appSchema, adapters: [adapter] })
    expect(store.status().adapters).toEqual([{ name: 'test', state: 'running' }])
    expect(store.history()[0]).toMatchObject({ source: 'test', reason: 'from adapter' })
    await store.close()
    expect(log).toEqual(['start r1', 'committed', 'aborted', 'disposed'])
    expect(store.status().adapters).toEqual([{ name: 'test', state: 'stopped' }])
  })

  it('report an optional adapter that fails to start as failed, without failing the store', async () => {
    const bad: Adapter = {
      name: 'bad',
      optional: true,
      start() {
        throw new Error('port in use')
      },
    }
    const store = await createConfigStore({ schema: appSchema, adapters: [bad], logger: quiet })
    expect(store.status().adapters).toEqual([
      { name: 'bad', optional: true, state: 'failed', lastError: 'port in use' },
    ])
    expect((await store.set('pool.max', 3)).status).toBe('committed')
    await store.close()
  })

  it('fail store creation when an adapter fails to start, disposing those started and releasing the files (#16)', async () => {
    const log: string[] = []
    const backend: OverridesBackend = {
      name: 'memory',
      load: async () => undefined,
      save: async () => {},
      close: async () => void log.push('backend closed'),
    }
    const started = (name: string): Adapter => ({
      name,
      start() {
        log.push(`${name} started`)
        return { dispose: () => void log.push(`${name} disposed`) }
      },
    })
    const bad: Adapter = {
      name: 'bad',
      async start() {
        throw new Error('port in use')
      },
    }
    const error = await createConfigStore({
      schema: appSchema,
      overrides: { backend },
      adapters: [started('first'), started('second'), bad, started('never')],
      logger: quiet,
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect(error).toMatchObject({
      code: 'ADAPTER_FAILED',
      message: expect.stringContaining('adapter "bad" failed to start: port in use'),
      cause: expect.objectContaining({ message: 'port in use' }),
    })
    expect(log).toEqual([
      'first started',
      'second started',
      'second disposed',
      'first disposed',
      'backend closed',
    ])
  })

  it('keep the ConfigError an adapter start throws, such as MISSING_DEPENDENCY', async () => {
    const missing: Adapter = {
      name: 'needs-pkg',
      start() {
        throw new ConfigError(issue('MISSING_DEPENDENCY', '', 'needs the package "x"'))
      },
    }
    await expect(
      createConfigStore({ schema: appSchema, adapters: [missing], logger: quiet }),
    ).rejects.toMatchObject({ code: 'MISSING_DEPENDENCY' })
  })

  it('release the files when the sources fail at start', async () => {
    const log: string[] = []
    const backend: OverridesBackend = {
      name: 'memory',
      load: async () => undefined,
      save: async () => {},
      close: async () => void log.push('backend closed'),
    }
    const broken = { name: 'broken', load: () => Promise.reject(new Error('disk gone')) }
    await expect(
      createConfigStore({ schema: appSchema, overrides: { backend }, sources: [broken], logger: quiet }),
    ).rejects.toMatchObject({ code: 'SOURCE_FAILED' })
    expect(log).toEqual(['backend closed'])
  })

  it('let an adapter report failure and recovery', async () => {
    let report: ((state: 'failed' | 'running', error?: unknown) => void) | undefined
    const flaky: Adapter = {
      name: 'flaky',
      start(ctx) {
        report = ctx.setState
        return { dispose() {} }
      },
    }
    const store = await createConfigStore({ schema: appSchema, adapters: [flaky] })
    const states: string[] = []
    store.events$.subscribe((e) => e.type === 'adapter' && states.push(e.state))
    report?.('failed', new Error('lost connection'))
    expect(store.status().adapters[0]).toEqual({
      name: 'flaky',
      state: 'failed',
      lastError: 'lost connection',
    })
    report?.('running')
    expect(store.status().adapters[0]?.state).toBe('running')
    expect(states).toEqual(['failed', 'running'])
    await store.close()
  })
})

describe('close', () => {
  const tempDir = useTempDirs()

  it('resolves after the file watch and the admin server are closed when a client holds a connection open', async () => {
    const dir = await tempDir()
    await mkdir(join(dir, 'profiles'))
    await writeFile(join(dir, 'app.yaml'), 'pool:\n  max: 3\n')
    await writeFile(join(dir, 'profiles', 'test.yaml'), 'pool:\n  min: 1\n')
    const before = handles()
    let port = 0
    const store = await createConfigStore({
      schema: appSchema,
      environment: 'test',
      sources: [fileSource(join(dir, 'app.yaml')), fileSource(join(dir, 'profiles', '{environment}.yaml'))],
      adapters: [
        watchFiles(),
        serveAdmin({
          port: 0,
          onListen: (address) => {
            port = address.port
          },
        }),
      ],
      logger: quiet,
    })
    expect(handles().length).toBeGreaterThan(before.length)
    // A keep-alive connection with a request answered, and an event stream still open.
    const client = connect(port, '127.0.0.1')
    client.write('GET /config HTTP/1.1\r\nhost: x\r\n\r\nGET /config/stream HTTP/1.1\r\nhost: x\r\n\r\n')
    await new Promise((resolve) => client.once('data', resolve))
    await store.close()
    expect(handles()).toEqual(before)
    expect(await accepts(port)).toBe(false)
    client.destroy()
  })
})

// --- internal ---

/** Handles a file watch or a listening server holds (chokidar uses fs.watch, or fs.watchFile when polling). */
function handles(): string[] {
  const kinds = new Set(['FSEventWrap', 'StatWatcher', 'TCPServerWrap'])
  return process.getActiveResourcesInfo().filter((kind) => kinds.has(kind))
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
