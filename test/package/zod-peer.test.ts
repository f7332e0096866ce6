import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { z as z3 } from 'zod/v3'
import { ConfigError, createConfigStore } from '../../src/index.ts'

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  peerDependencies: Record<string, string>
  dependencies?: Record<string, string>
  devDependencies: Record<string, string>
}
/** The lowest zod the peer range allows, e.g. `4.1.0` from `^4.1.0`. */
const lowest = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(pkg.peerDependencies.zod ?? '')

/** A real zod 4 object schema that says it comes from another zod release. */
function fromZod(major: number, minor: number, patch = 0) {
  const schema = z.object({ port: z.number().default(8080) })
  Object.assign(schema._zod, { version: { major, minor, patch } })
  return schema
}

async function badOptions(schema: unknown): Promise<ConfigError> {
  const error = await createConfigStore({ schema: schema as never }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ConfigError)
  expect(error).toMatchObject({ code: 'BAD_OPTIONS', path: 'schema' })
  return error as ConfigError
}

describe('zod as a peer dependency (#16)', () => {
  it('declares zod as a caret peer range and keeps it as a devDependency for the tests', () => {
    expect(lowest).not.toBeNull()
    expect(pkg.devDependencies.zod).toBeDefined()
    expect(
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).dependencies?.zod,
    ).toBe(undefined)
  })

  it('throws BAD_OPTIONS naming zod 3 when the schema comes from zod/v3', async () => {
    const error = await badOptions(z3.object({ port: z3.number() }))
    expect(error.message).toMatch(/zod 3/)
    expect(error.message).toContain(pkg.peerDependencies.zod)
  })

  it('throws BAD_OPTIONS when the schema is a plain object, null or a function', async () => {
    for (const schema of [
      { port: 8080 },
      { shape: {} },
      { _zod: {} },
      { _def: {} },
      null,
      () => {},
      'z.object',
    ]) {
      await badOptions(schema)
    }
  })

  it('throws BAD_OPTIONS naming both versions when the schema comes from a zod older than the peer range', async () => {
    const [major, minor, patch] = (lowest ?? []).slice(1).map(Number) as [number, number, number]
    const older = patch > 0 ? [major, minor, patch - 1] : [major, minor - 1, 99]
    if (older[1]! < 0) return // the range starts at x.0.0: nothing older within the major
    const error = await badOptions(fromZod(...(older as [number, number, number])))
    expect(error.message).toContain(older.join('.'))
    expect(error.message).toContain(pkg.peerDependencies.zod)
  })

  it('throws BAD_OPTIONS when the schema comes from another major version of zod', async () => {
    await badOptions(fromZod(5, 0))
    await badOptions(fromZod(3, 25))
  })

  it('creates the store when the schema comes from the lowest zod of the peer range', async () => {
    const [major, minor, patch] = (lowest ?? []).slice(1).map(Number) as [number, number, number]
    const store = await createConfigStore({ schema: fromZod(major, minor, patch) })
    expect(store.current.port).toBe(8080)
    await store.close()
  })
})
