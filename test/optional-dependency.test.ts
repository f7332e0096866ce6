import { execFile } from 'node:child_process'
import { cp, mkdir, readdir, symlink, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from './support/temp-dir.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const tempDir = useTempDirs('hotconf-missing-')
/** Where the probe sits, in the repository and in the copy, so its imports of src/ resolve in both. */
const PROBE = 'test/fixtures/missing/probe.ts'

/**
 * A project with a copy of src/ and a node_modules of links to every installed package but `missing`, in a temp
 * directory (no node_modules above it), so Node itself fails to resolve the missing ones.
 */
async function projectWithout(missing: readonly string[]): Promise<string> {
  const dir = await tempDir()
  await cp(join(ROOT, 'src'), join(dir, 'src'), { recursive: true })
  await cp(join(ROOT, PROBE), join(dir, PROBE))
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }')
  const installed = join(ROOT, 'node_modules')
  for (const entry of await readdir(installed)) {
    const names = entry.startsWith('@')
      ? (await readdir(join(installed, entry))).map((name) => `${entry}/${name}`)
      : [entry]
    for (const name of names) {
      if (missing.includes(name) || name.startsWith('.')) continue
      await mkdir(dirname(join(dir, 'node_modules', name)), { recursive: true })
      await symlink(join(installed, name), join(dir, 'node_modules', name))
    }
  }
  return dir
}

/** Runs the probe's `step` in a fresh Node process and returns what it printed. */
async function probe(dir: string, step: string): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', PROBE, step], {
    cwd: dir,
    timeout: 30_000,
  })
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>
}

describe('optional dependencies (#16)', () => {
  it('throws MISSING_DEPENDENCY at import of hotconf/http without hono, naming the install command', async () => {
    const dir = await projectWithout(['hono'])
    expect(await probe(dir, 'http')).toEqual({
      name: 'ConfigError',
      code: 'MISSING_DEPENDENCY',
      message: expect.stringMatching(
        /hotconf\/http needs the package "hono".*npm install hono @hono\/node-server/,
      ),
      issues: ['MISSING_DEPENDENCY'],
    })
  })

  it('throws MISSING_DEPENDENCY at import of hotconf/http without @hono/node-server', async () => {
    const dir = await projectWithout(['@hono/node-server'])
    expect(await probe(dir, 'http')).toMatchObject({
      code: 'MISSING_DEPENDENCY',
      message: expect.stringContaining('needs the package "@hono/node-server"'),
    })
  })

  it('fails store creation with MISSING_DEPENDENCY when watchFiles() has no chokidar', async () => {
    const dir = await projectWithout(['chokidar'])
    expect(await probe(dir, 'file')).toMatchObject({
      name: 'ConfigError',
      code: 'MISSING_DEPENDENCY',
      message: expect.stringMatching(
        /watchFiles\(\) \(hotconf\/file\) needs the package "chokidar".*npm install chokidar/,
      ),
    })
  })

  it('throws MISSING_DEPENDENCY at import of hotconf/openfeature without @openfeature/server-sdk (#21)', async () => {
    const dir = await projectWithout(['@openfeature/server-sdk'])
    expect(await probe(dir, 'openfeature')).toMatchObject({
      code: 'MISSING_DEPENDENCY',
      message: expect.stringMatching(
        /hotconf\/openfeature needs the package "@openfeature\/server-sdk".*npm install @openfeature\/server-sdk @openfeature\/core/,
      ),
    })
  })

  it('throws MISSING_DEPENDENCY at import of hotconf/opentelemetry without @opentelemetry/api (#21)', async () => {
    const dir = await projectWithout(['@opentelemetry/api'])
    expect(await probe(dir, 'opentelemetry')).toMatchObject({
      code: 'MISSING_DEPENDENCY',
      message: expect.stringMatching(/hotconf\/opentelemetry needs the package "@opentelemetry\/api"/),
    })
  })

  it('serves GET /metrics with @prometheus-io/client or prom-client, whichever is installed, else 501 (#21)', async () => {
    const served = { ok: true, status: 200, body: 'hotconf_config_revision 1' }
    expect(await probe(await projectWithout(['@prometheus-io/client']), 'metrics')).toEqual(served)
    expect(await probe(await projectWithout(['prom-client']), 'metrics')).toEqual(served)
    const neither = await probe(await projectWithout(['prom-client', '@prometheus-io/client']), 'metrics')
    expect(neither).toMatchObject({ ok: true, status: 501 })
    expect(JSON.parse(neither.body as string)).toMatchObject({
      code: 'NOT_IMPLEMENTED',
      detail: expect.stringMatching(/npm install prom-client \(or @prometheus-io\/client on Node >= 22\)/),
    })
  }, 60_000)

  it('fails store creation with MISSING_DEPENDENCY when etcdSource, etcdSync or etcdOverrides has no etcd3', async () => {
    const dir = await projectWithout(['etcd3'])
    const expected = {
      name: 'ConfigError',
      code: 'MISSING_DEPENDENCY',
      message: expect.stringMatching(/hotconf\/etcd needs the package "etcd3".*npm install etcd3/),
    }
    expect(await probe(dir, 'etcdSource')).toMatchObject(expected)
    expect(await probe(dir, 'etcdSync')).toMatchObject(expected)
    expect(await probe(dir, 'etcdOverrides')).toMatchObject(expected)
  }, 60_000)

  it('fails store creation with MISSING_DEPENDENCY naming npm install pg when postgresCluster has no pg (#22)', async () => {
    const dir = await projectWithout(['pg'])
    expect(await probe(dir, 'postgres')).toMatchObject({
      name: 'ConfigError',
      code: 'MISSING_DEPENDENCY',
      message: expect.stringMatching(/hotconf\/postgres needs the package "pg".*npm install pg/),
    })
  }, 60_000)
})
