import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript'
import { afterEach, describe, expect, it } from 'vitest'
import { ADMIN, READ, type Served, serveTestStore } from './fixture.ts'

const ROOT = resolve(import.meta.dirname, '../../..')

/** A client as a user would write it: openapi-fetch over the types openapi-typescript generated. */
const CLIENT = `
import createClient from 'openapi-fetch'
import type { components, paths } from './admin-api.ts'

type WriteResult = components['schemas']['WriteResult']

const [url, token] = process.argv.slice(2) as [string, string]
const client = createClient<paths>({ baseUrl: new URL(url).origin, headers: { authorization: \`Bearer \${token}\` } })

const status = await client.GET('/config/status')
const revision: number | undefined = status.data?.revision
const patched = await client.PATCH('/config', {
  body: { pool: { max: 42 } },
  params: { header: { 'X-Reason': 'typed client' } },
})
const written: WriteResult | undefined = patched.data
const value = await client.GET('/config/values/{path}', { params: { path: { path: 'pool.max' } } })
const history = await client.GET('/config/history', { params: { query: { limit: 1 } } })
const refused = await client.PUT('/config/values/{path}', { params: { path: { path: 'pool.max' } }, body: -1 })
const problem: string | undefined = refused.error?.code
if (process.argv.includes('--never')) {
  // @ts-expect-error: the document has no such route
  await client.GET('/config/nothing-here')
  // @ts-expect-error: limit is a number
  await client.GET('/config/history', { params: { query: { limit: 'one' } } })
}
console.log(JSON.stringify({
  revision,
  status: written?.status,
  value: value.data,
  reason: history.data?.[0]?.reason,
  problem,
  refused: refused.response.status,
}))
`

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2023',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  },
  files: ['client.ts'],
}

let served: Served | undefined
let dir: string | undefined
afterEach(async () => {
  await served?.store.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
  served = undefined
  dir = undefined
})

describe('a typed client generated from the OpenAPI document', () => {
  it('type-checks with tsc and works against a live server (openapi-typescript + openapi-fetch)', async () => {
    served = await serveTestStore()
    const revision = served.store.revision
    dir = await generate(served, CLIENT)
    const tsc = await typeCheck(dir)
    expect(tsc.code, tsc.output).toBe(0)
    const client = await run(['--import', 'tsx', join(dir, 'client.ts'), served.url, ADMIN], dir)
    expect(client.code, client.output).toBe(0)
    expect(JSON.parse(client.output)).toEqual({
      revision,
      status: 'committed',
      value: 42,
      reason: 'typed client',
      problem: 'INVALID',
      refused: 422,
    })
    expect(served.store.current.pool.max).toBe(42)
  }, 120_000)

  it('fails to type-check a client that uses a route or a parameter type the document lacks', async () => {
    served = await serveTestStore()
    dir = await generate(served, CLIENT.replaceAll('// @ts-expect-error', '//'))
    const tsc = await typeCheck(dir)
    expect(tsc.code).not.toBe(0)
    const lines = CLIENT.split('\n')
    const expected = lines.flatMap((_line, i) => (lines[i - 1]?.includes('@ts-expect-error') ? [i + 1] : []))
    const errors = [...tsc.output.matchAll(/client\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1]))
    expect(errors).toEqual(expected)
  }, 120_000)
})

// --- internal ---

/** A temporary project with the client, the types generated from the server's live document, and a tsconfig. */
async function generate(server: Served, client: string): Promise<string> {
  const doc = (await (await server.call('GET', '/openapi.json', { token: READ })).json()) as OpenAPI3
  const out = mkdtempSync(join(tmpdir(), 'hotconf-client-'))
  // The client resolves openapi-fetch, tsx and @types/node from this package.
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir')
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }')
  writeFileSync(join(out, 'admin-api.ts'), astToString(await openapiTS(doc)))
  writeFileSync(join(out, 'client.ts'), client)
  writeFileSync(join(out, 'tsconfig.json'), JSON.stringify(TSCONFIG))
  return out
}

/** `tsc -p` on the temporary project (the package's own TypeScript). */
function typeCheck(project: string) {
  return run([join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(project, 'tsconfig.json')], project)
}

/** Runs node with these arguments; resolves with its exit code and what it printed. */
function run(args: readonly string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('error', reject)
    child.once('close', (code) => done({ code, output }))
  })
}
