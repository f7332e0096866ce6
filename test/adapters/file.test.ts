import { execFile } from 'node:child_process'
import { mkdir, open, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { type WatchFilesOptions, watchFiles } from '../../src/adapters/file/index.ts'
import { ConfigError, type ConfigSource, type ConfigStore, createConfigStore } from '../../src/index.ts'
import { fileSource } from '../../src/sources/index.ts'
import { type AppConfig, appSchema } from '../fixtures/schemas.ts'
import { until } from '../support/json-layer.ts'
import { useTempDirs } from '../support/temp-dir.ts'

const tempDir = useTempDirs()
const stores: ConfigStore<AppConfig>[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})

const doc = (max: number) => `pool:\n  max: ${max}\n`

interface Watched {
  readonly dir: string
  readonly file: string
  readonly store: ConfigStore<AppConfig>
  /** Debug and error lines of the store's logger, newest last. */
  readonly logs: string[]
  /** Transactions the watcher started, oldest first. */
  fileEvents(): ReturnType<ConfigStore<AppConfig>['events']>
  /** Waits until the watcher has looked at the files and found nothing to reload, after `act`. */
  quietAfter(act: () => Promise<void>): Promise<void>
}

async function watched(
  options: WatchFilesOptions & {
    sources?: (dir: string, file: string) => ConfigSource[]
    overrides?: string
    setup?: (dir: string, file: string) => Promise<void>
  } = {},
): Promise<Watched> {
  const { sources, overrides, setup, ...watch } = options
  const dir = await tempDir()
  const file = join(dir, 'app.yaml')
  await (setup ? setup(dir, file) : writeFile(file, doc(10)))
  const logs: string[] = []
  const store = await createConfigStore({
    schema: appSchema,
    sources: sources ? sources(dir, file) : [fileSource(file)],
    ...(overrides ? { overrides: { file: join(dir, overrides) } } : {}),
    adapters: [watchFiles(watch)],
    logger: { debug: (m) => logs.push(m), info() {}, warn() {}, error: (m) => logs.push(m) },
  })
  stores.push(store)
  const quiet = (from: number) => logs.slice(from).some((l) => l.endsWith('no content changed'))
  // The check that runs once the watch is up.
  await until(() => quiet(0))
  return {
    dir,
    file,
    store,
    logs,
    fileEvents: () =>
      store
        .events()
        .filter((e) => e.source === 'file')
        .reverse(),
    async quietAfter(act) {
      const from = logs.length
      await act()
      await until(() => quiet(from))
    },
  }
}

describe('watchFiles', () => {
  it('reloads once, with source file and the changed path, when a file is written in place', async () => {
    const { file, store, fileEvents } = await watched({ debounceMs: 20 })
    await writeFile(file, doc(20))
    await until(() => store.current.pool.max === 20)
    expect(fileEvents()).toMatchObject([
      { status: 'committed', reason: `changed: ${file}`, changes: [{ path: 'pool.max', from: 10, to: 20 }] },
    ])
    expect(store.history()[0]).toMatchObject({ source: 'file', reason: `changed: ${file}` })
    expect(store.status().adapters).toEqual([{ name: 'file', state: 'running' }])
  })

  it('hands the bytes it read to the reload: no file is read again, an unchanged one keeps its layer (#23)', async () => {
    const handed: Record<string, string | undefined>[] = []
    // Records what each reload handed the sources, then loads as the file source does.
    const recorded = (inner: ConfigSource, files: readonly string[]): ConfigSource => ({
      name: inner.name,
      load(ctx) {
        handed.push(Object.fromEntries(files.map((f) => [f, ctx.contents?.get(f)?.toString()])))
        return inner.load(ctx)
      },
    })
    const { file, dir, store } = await watched({
      debounceMs: 0,
      sources: (dir, file) => {
        const base = join(dir, 'base.yaml')
        return [recorded(fileSource(base), [base]), recorded(fileSource(file), [file])]
      },
      setup: async (dir, file) => {
        await writeFile(join(dir, 'base.yaml'), 'features:\n  newUi: true\n')
        await writeFile(file, doc(10))
      },
    })
    const features = store.current.features
    handed.length = 0
    await writeFile(file, doc(20))
    await until(() => store.current.pool.max === 20)
    expect(handed).toEqual([{ [join(dir, 'base.yaml')]: 'features:\n  newUi: true\n' }, { [file]: doc(20) }])
    expect(store.current.features).toBe(features)
  })

  it('sees an atomic save (temp file, then rename over the file) as one change', async () => {
    const { dir, file, store, fileEvents } = await watched({ debounceMs: 0 })
    for (const max of [21, 22]) {
      await writeFile(join(dir, '.app.yaml.swp'), doc(max))
      await rename(join(dir, '.app.yaml.swp'), file)
      await until(() => store.current.pool.max === max)
    }
    expect(fileEvents().map((e) => e.status)).toEqual(['committed', 'committed'])
  })

  it('never commits the empty file an editor leaves between truncate and write', async () => {
    const { file, store, logs, fileEvents } = await watched({ debounceMs: 0, settleMs: 5_000 })
    const handle = await open(file, 'r+')
    await handle.truncate(0)
    await until(() => logs.some((l) => l.includes('missing or empty')))
    await handle.write(doc(23), 0)
    await handle.close()
    await until(() => store.current.pool.max === 23)
    expect(fileEvents()).toMatchObject([{ status: 'committed', changes: [{ path: 'pool.max', to: 23 }] }])
  })

  it('coalesces a burst of writes into one reload of the last content', async () => {
    const { file, store, fileEvents } = await watched({ debounceMs: 250 })
    for (let max = 30; max < 40; max++) await writeFile(file, doc(max))
    await until(() => store.current.pool.max === 39)
    expect(fileEvents()).toMatchObject([{ status: 'committed', changes: [{ from: 10, to: 39 }] }])
  })

  it('starts no transaction at all when a save leaves the content as it was', async () => {
    const { dir, file, store, fileEvents, quietAfter } = await watched({ debounceMs: 0 })
    await quietAfter(() => writeFile(file, doc(10)))
    await quietAfter(async () => {
      await writeFile(join(dir, 'tmp'), doc(10))
      await rename(join(dir, 'tmp'), file)
    })
    expect(store.events()).toEqual([])
    await writeFile(file, doc(11))
    await until(() => store.current.pool.max === 11)
    expect(fileEvents()).toHaveLength(1)
  })

  it('keeps the live config while a required file is gone, and resumes when it is back', async () => {
    const { file, store, fileEvents } = await watched({ debounceMs: 10, settleMs: 150 })
    await rm(file)
    await until(() => fileEvents().length === 1)
    expect(fileEvents()[0]).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'SOURCE_MISSING', source: file }],
    })
    expect(store.current.pool.max).toBe(10)
    expect(store.status().adapters).toEqual([{ name: 'file', state: 'running' }])

    await writeFile(file, doc(12))
    await until(() => store.current.pool.max === 12)
    // Deleted and written again at once (as some deploy tools do): no rejection in between.
    await rm(file)
    await writeFile(file, doc(13))
    await until(() => store.current.pool.max === 13)
    expect(fileEvents().map((e) => e.status)).toEqual(['rejected', 'committed', 'committed'])
  })

  it('follows a Kubernetes ConfigMap volume, whose ..data symlink is swapped to a new directory', async () => {
    const swap = async (dir: string, from: string, to: string, max: number) => {
      await mkdir(join(dir, to))
      await writeFile(join(dir, to, 'app.yaml'), doc(max))
      await symlink(to, join(dir, '..data_tmp'))
      await rename(join(dir, '..data_tmp'), join(dir, '..data'))
      await rm(join(dir, from), { recursive: true })
    }
    const { dir, store, fileEvents } = await watched({
      debounceMs: 10,
      async setup(dir, file) {
        await mkdir(join(dir, '..2024_01_01'))
        await writeFile(join(dir, '..2024_01_01', 'app.yaml'), doc(10))
        await symlink('..2024_01_01', join(dir, '..data'))
        await symlink('..data/app.yaml', file)
      },
    })
    await swap(dir, '..2024_01_01', '..2024_01_02', 14)
    await until(() => store.current.pool.max === 14)
    await swap(dir, '..2024_01_02', '..2024_01_03', 15)
    await until(() => store.current.pool.max === 15)
    expect(fileEvents().map((e) => e.status)).toEqual(['committed', 'committed'])
    expect(store.status().adapters).toEqual([{ name: 'file', state: 'running' }])
  })

  it('rejects a file that does not parse or validate, keeps the live config, and takes the next good save', async () => {
    const { file, store, fileEvents } = await watched({ debounceMs: 10 })
    await writeFile(file, 'pool:\n  max: [16\n')
    await until(() => fileEvents().length === 1)
    const [parse] = fileEvents()
    expect(parse).toMatchObject({ status: 'rejected', errors: [{ code: 'PARSE_ERROR', source: file }] })
    expect(parse?.errors[0]?.line).toBeGreaterThan(0)
    expect(parse?.errors[0]?.column).toBeGreaterThan(0)

    await writeFile(file, 'pool:\n  max: lots\n')
    await until(() => fileEvents().length === 2)
    expect(fileEvents()[1]).toMatchObject({
      status: 'rejected',
      errors: [{ code: 'INVALID', path: 'pool.max' }],
    })
    expect(store.current.pool.max).toBe(10)
    expect(store.revision).toBe(1)

    await writeFile(file, doc(16))
    await until(() => store.current.pool.max === 16)
    expect(fileEvents().map((e) => e.status)).toEqual(['rejected', 'rejected', 'committed'])
  })

  it("skips the store's own writes to the overrides file and reloads a hand edit of it", async () => {
    const { dir, store, fileEvents, quietAfter } = await watched({
      debounceMs: 0,
      overrides: 'state/overrides.json',
    })
    await quietAfter(async () => {
      expect(await store.set('pool.max', 30)).toMatchObject({ status: 'committed' })
    })
    await quietAfter(async () => {
      expect(await store.set('pool.max', 31)).toMatchObject({ status: 'committed' })
    })
    expect(fileEvents()).toEqual([])

    const path = join(dir, 'state/overrides.json')
    const persisted = JSON.parse(await readFile(path, 'utf8'))
    await writeFile(path, JSON.stringify({ ...persisted, overrides: { pool: { max: 40 } } }))
    await until(() => store.current.pool.max === 40)
    expect(fileEvents()).toMatchObject([
      { status: 'committed', reason: `changed: ${path}`, changes: [{ path: 'pool.max', from: 31, to: 40 }] },
    ])
  })

  it('watches the new files when the set of source files changes', async () => {
    const { dir, store } = await watched({
      debounceMs: 0,
      sources: (dir) => [includeSource(join(dir, 'main.json'))],
      async setup(dir) {
        await writeFile(join(dir, 'main.json'), JSON.stringify({ include: 'a/pool.json' }))
        await mkdir(join(dir, 'a'))
        await writeFile(join(dir, 'a/pool.json'), JSON.stringify({ max: 5 }))
      },
    })
    expect(store.current.pool.max).toBe(5)
    // b/ does not exist yet: its parent is watched until it does.
    await writeFile(join(dir, 'main.json'), JSON.stringify({ include: 'b/pool.json' }))
    await until(() => store.current.pool.max === 10)
    await mkdir(join(dir, 'b'))
    await writeFile(join(dir, 'b/pool.json'), JSON.stringify({ max: 17 }))
    await until(() => store.current.pool.max === 17)
    await writeFile(join(dir, 'b/pool.json'), JSON.stringify({ max: 18 }))
    await until(() => store.current.pool.max === 18)
  })

  it('stops on close', async () => {
    const { store } = await watched()
    await store.close()
    expect(store.status().adapters).toEqual([{ name: 'file', state: 'stopped' }])
  })

  it('releases every watch handle before close resolves when directories were added after start', async () => {
    const before = watchHandles()
    const { dir, store } = await watched({
      debounceMs: 0,
      sources: (dir) => [includeSource(join(dir, 'main.json'))],
      async setup(dir) {
        await writeFile(join(dir, 'main.json'), JSON.stringify({ include: 'a/pool.json' }))
        await mkdir(join(dir, 'a'))
        await mkdir(join(dir, 'b'))
        await writeFile(join(dir, 'a/pool.json'), JSON.stringify({ max: 5 }))
        await writeFile(join(dir, 'b/pool.json'), JSON.stringify({ max: 6 }))
      },
    })
    await writeFile(join(dir, 'main.json'), JSON.stringify({ include: 'b/pool.json' }))
    await until(() => store.current.pool.max === 6)
    expect(watchHandles().length).toBeGreaterThan(before.length)
    await store.close()
    expect(watchHandles()).toEqual(before)
  })

  it('loads chokidar only when it starts, never on import', async () => {
    const script = fileURLToPath(new URL('../fixtures/adapters/lazy-chokidar.ts', import.meta.url))
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--conditions=@hotconf/source',
      '--import',
      'tsx',
      script,
    ])
    const { afterImport, afterStart } = JSON.parse(stdout) as Record<string, string[]>
    expect(afterImport).toEqual([])
    expect(afterStart).toContainEqual(expect.stringMatching(/node_modules\/chokidar\/index\.js$/))
  })

  it('throws for options that are not durations', () => {
    expect(() => watchFiles({ debounceMs: -1 })).toThrow(ConfigError)
    expect(() => watchFiles({ settleMs: Number.NaN })).toThrow(/settleMs/)
  })
})

/** The handles of file watches: chokidar's fs.watch, or fs.watchFile when it polls. */
function watchHandles(): string[] {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'FSEventWrap' || kind === 'StatWatcher')
}

/** A JSON layer whose `include` names a second file holding the pool: its files change with its content. */
function includeSource(main: string): ConfigSource {
  return {
    name: 'include',
    async load() {
      const { include } = JSON.parse(await readFile(main, 'utf8')) as { include: string }
      const included = join(main, '..', include)
      let pool: unknown
      try {
        pool = JSON.parse(await readFile(included, 'utf8'))
      } catch {
        pool = undefined
      }
      return { data: pool === undefined ? {} : { pool }, files: [main, included] }
    },
  }
}
