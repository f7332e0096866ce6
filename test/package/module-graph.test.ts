import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = new URL('../..', import.meta.url).pathname
const run = promisify(execFile)

/** Module hooks that append every resolved URL to the file named in `data` (they run on the hooks thread). */
const RECORDER = `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs'
let file
export function initialize(data) { file = data }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context)
  appendFileSync(file, resolved.url + '\\n')
  return resolved
}`)}`

/** What never loads with `import 'hotconf'`: what a store may not use, and the rxjs barrel (every operator). */
const LAZY = [
  '/node_modules/yaml/',
  '/node_modules/chokidar/',
  '/node_modules/hono/',
  '/node_modules/etcd3/',
  '/node_modules/@opentelemetry/',
  '/node_modules/@openfeature/',
  '/node_modules/prom-client/',
  '/node_modules/rxjs/dist/cjs/index.js',
  '/node_modules/rxjs/dist/cjs/operators/index.js',
]

let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotconf-graph-'))
  writeFileSync(join(dir, 'app.json'), '{"port": 8080}\n')
  writeFileSync(join(dir, 'app.yaml'), 'port: 9090\n')
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** Runs `script` (an ES module body) in a fresh node on the sources, and lists the modules it resolved. */
async function modulesOf(script: string): Promise<{ urls: string[]; stdout: string }> {
  const log = join(dir, `modules-${Math.random().toString(36).slice(2)}.txt`)
  writeFileSync(log, '')
  const register = `import { register } from 'node:module'; register(${JSON.stringify(RECORDER)}, { data: ${JSON.stringify(log)} })`
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS'))
  const { stdout } = await run(
    process.execPath,
    [
      '--conditions=@hotconf/source',
      '--import',
      'tsx',
      '--import',
      `data:text/javascript,${encodeURIComponent(register)}`,
      '--input-type=module',
      '-e',
      script,
    ],
    { cwd: ROOT, env },
  )
  return { urls: readFileSync(log, 'utf8').split('\n').filter(Boolean), stdout: stdout.trim() }
}

const storeOf = (file: string) => `
import { z } from 'zod'
import { createConfigStore } from 'hotconf'
import { fileSource } from 'hotconf/sources'
const store = await createConfigStore({
  schema: z.object({ port: z.number() }),
  sources: [fileSource(${JSON.stringify(file)})],
})
console.log(store.get('port'))
await store.close()`

describe("import 'hotconf' (#23)", () => {
  it('loads no optional peer, no yaml and no rxjs', async () => {
    const { urls } = await modulesOf("await import('hotconf'); await import('hotconf/sources')")
    expect(urls.some((url) => url.includes('/src/index.ts'))).toBe(true)
    for (const lazy of [...LAZY, '/node_modules/rxjs/'])
      expect(urls.filter((url) => url.includes(lazy))).toEqual([])
  }, 60_000)

  it('loads xstate with the first transaction, not with the store', async () => {
    const script = (write: boolean) => `
import { z } from 'zod'
import { createConfigStore } from 'hotconf'
const store = await createConfigStore({ schema: z.object({ port: z.number().default(1) }) })
${write ? "console.log((await store.set('port', 2)).status, store.get('port'))" : "console.log(store.get('port'))"}
await store.close()`
    const xstate = (urls: string[]) => urls.filter((url) => url.includes('/node_modules/xstate/'))
    const reads = await modulesOf(script(false))
    expect(reads.stdout).toBe('1')
    expect(xstate(reads.urls)).toEqual([])
    const writes = await modulesOf(script(true))
    expect(writes.stdout).toBe('committed 2')
    expect(xstate(writes.urls).length).toBeGreaterThan(0)
  }, 60_000)

  it('loads rxjs with the first stream a store is asked for, not with the store, and not its barrel', async () => {
    // rxjs is required (CommonJS, as Node resolves it), which module hooks do not see: read the require cache.
    const { stdout } = await modulesOf(`
import { createRequire } from 'node:module'
import { z } from 'zod'
import { createConfigStore } from 'hotconf'
const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/node_modules/rxjs/'))
const store = await createConfigStore({ schema: z.object({ port: z.number().default(1) }) })
await store.set('port', 2)
const before = loaded().length
const seen = []
store.select('port').subscribe((port) => seen.push(port))
await store.set('port', 3)
await store.close()
const after = loaded()
console.log(JSON.stringify({ before, after: after.length, barrel: after.filter((k) => k.endsWith('/cjs/index.js') || k.endsWith('/cjs/operators/index.js')), seen }))`)
    const { before, after, barrel, seen } = JSON.parse(stdout) as Record<string, unknown>
    expect({ before, barrel, seen }).toEqual({ before: 0, barrel: [], seen: [2, 3] })
    expect(after).toBeGreaterThan(0)
  }, 60_000)

  it('loads neither node:crypto, node:perf_hooks nor immer on the way to a ready store; a recipe loads immer, a snapshot node:crypto', async () => {
    // tsx has loaded node:crypto already: what counts is whether hotconf asks for it, by an import (which the
    // module hooks see) or through process.getBuiltinModule. immer is required (CommonJS): read the require cache.
    const { stdout, urls } = await modulesOf(`
import { createRequire } from 'node:module'
const asked = []
const getBuiltinModule = process.getBuiltinModule
process.getBuiltinModule = (id) => (asked.push(id), getBuiltinModule(id))
const { z } = await import('zod')
const { createConfigStore } = await import('hotconf')
const { fileSource } = await import('hotconf/sources')
const loaded = () => ({
  crypto: asked.includes('node:crypto'),
  perfHooks: process.moduleLoadList.includes('NativeModule perf_hooks'),
  immer: Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/immer/')),
})
const store = await createConfigStore({
  schema: z.object({ port: z.number() }),
  sources: [fileSource(${JSON.stringify(join(dir, 'app.json'))})],
})
const ready = loaded()
await store.set('port', 1)
const set = loaded()
const recipe = (await store.update((draft) => { draft.port = 2 })).status
const updated = loaded()
await store.snapshot()
const snapshot = loaded()
await store.close()
console.log(JSON.stringify({ ready, set, recipe, updated, snapshot, port: store.get('port') }))`)
    expect(JSON.parse(stdout)).toEqual({
      ready: { crypto: false, perfHooks: false, immer: false },
      set: { crypto: false, perfHooks: true, immer: false },
      recipe: 'committed',
      updated: { crypto: false, perfHooks: true, immer: true },
      snapshot: { crypto: true, perfHooks: true, immer: true },
      port: 2,
    })
    expect(urls.filter((url) => url === 'node:crypto' || url.includes('/node_modules/immer/'))).toEqual([])
  }, 60_000)

  it('does not load yaml for a store of JSON files', async () => {
    const { urls, stdout } = await modulesOf(storeOf(join(dir, 'app.json')))
    expect(stdout).toBe('8080')
    expect(urls.filter((url) => url.includes('/node_modules/yaml/'))).toEqual([])
  }, 60_000)

  it('loads yaml when a YAML file is read', async () => {
    const { urls, stdout } = await modulesOf(storeOf(join(dir, 'app.yaml')))
    expect(stdout).toBe('9090')
    expect(urls.some((url) => url.includes('/node_modules/yaml/'))).toBe(true)
  }, 60_000)
})
