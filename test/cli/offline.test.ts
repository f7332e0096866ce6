import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { useTempDirs } from '../support/temp-dir.ts'
import { FIXTURES, hotconf } from './run-cli.ts'

const tempDir = useTempDirs('hotconf-cli-')

// Every test starts Node processes that compile TypeScript: slow on a busy 2-core machine.
describe('hotconf check, explain (#19)', { timeout: 120_000 }, () => {
  it('exits 0 on valid YAML and JSON layers, with a .ts or a .mjs schema', async () => {
    const [ts, mjs] = await Promise.all([
      hotconf(['check', '--schema', 'schema.ts', 'default.yaml', 'valid.json']),
      hotconf(['check', '--schema', 'schema.mjs', 'valid.json']),
    ])
    expect(ts).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^ok: default\.yaml, valid\.json \(environment \w+\)\n$/),
    })
    expect(mjs.code).toBe(0)
  })

  it('prints file:line:col, path and message for every issue, of YAML and JSON alike, and exits 1', async () => {
    const [yaml, json] = await Promise.all([
      hotconf(['check', '--schema', 'schema.ts', 'broken.yaml']),
      hotconf(['check', '--schema', 'schema.mjs#default', 'broken.json']),
    ])
    expect(yaml.code).toBe(1)
    expect(yaml.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^broken\.yaml:3:8 {2}pool\.max Too big: .*1000/),
      expect.stringMatching(/^broken\.yaml:5:10 {2}log\.level Invalid option: .*"debug"/),
    ])
    expect(json.code).toBe(1)
    expect(json.stdout).toMatch(
      /^broken\.json:3:20 {2}pool\.max Invalid input: expected number, received string\n$/,
    )
  })

  it('names the place of a syntax error and of a missing file', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'syntax.yaml'), 'name: orders\npool:\n  max: [1,\n')
    const syntax = await hotconf(['check', '--schema', 'schema.ts', join(dir, 'syntax.yaml')])
    expect(syntax.code).toBe(1)
    expect(syntax.stdout).toContain(`${join(dir, 'syntax.yaml')}:4:1  (root) `)
    const missing = await hotconf(['check', '--schema', 'schema.ts', 'nowhere.yaml'])
    expect(missing).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^nowhere\.yaml {2}\(root\) file not found/),
    })
  })

  it('layers a {environment} profile for --env, and an absent profile is no error', async () => {
    const profile = ['default.yaml', '{environment}.yaml']
    const [production, staging] = await Promise.all([
      hotconf(['explain', '--schema', 'schema.ts', '--env', 'production', ...profile, 'pool.max']),
      hotconf(['check', '--schema', 'schema.ts', '--env', 'staging', ...profile]),
    ])
    expect(production.stdout.split('\n')).toEqual([
      'pool.max = 50  from file:production.yaml',
      '  shadows 20  from file:default.yaml',
      '  shadows 10  from default',
      '',
    ])
    expect(staging.code).toBe(0)
  })

  it('layers the environment variables under --env-vars and names the variable at fault', async () => {
    const run = await hotconf(['check', '--schema', 'schema.ts', '--env-vars', 'APP_', 'default.yaml'], {
      env: { APP_POOL__MAX: 'many' },
    })
    expect(run).toMatchObject({ code: 1, stdout: expect.stringMatching(/^APP_POOL__MAX {2}pool\.max /) })
  })

  it('explains with secrets redacted, and prints --json for scripts', async () => {
    const run = await hotconf(['explain', '--json', '--schema', 'schema.ts', 'default.yaml', 'apiKey'])
    expect(JSON.parse(run.stdout)).toEqual({
      path: 'apiKey',
      value: '[redacted]',
      layer: 'default',
      shadowed: [],
    })
    expect(run.stdout).not.toContain('sk-cli-test-key-42')
  })

  it('gives usage errors exit 2 and help exit 0', async () => {
    const runs = await Promise.all([
      hotconf(['check', 'default.yaml']),
      hotconf(['check', '--schema', 'schema.mjs#nope', 'default.yaml']),
      hotconf(['check', '--schema', 'schema.ts', '--bogus', 'default.yaml']),
      hotconf(['frobnicate']),
      hotconf([]),
    ])
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2, 2])
    expect(runs[0]?.stderr).toMatch(/--schema <module>\[#export\] is required/)
    expect(runs[1]?.stderr).toMatch(/no zod object schema as its "nope" export \(it exports default\)/)
    const help = await hotconf(['check', '--help'])
    expect(help).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Usage: hotconf check[\s\S]*Example:\n {2}hotconf check /),
    })
  })
})

describe('hotconf schema (#19)', { timeout: 120_000 }, () => {
  it('prints a JSON Schema that validates the sample config, with restart keys and secrets marked', async () => {
    const dir = await tempDir()
    const out = join(dir, 'schema.json')
    const [written, partial] = await Promise.all([
      hotconf(['schema', '--schema', 'schema.ts', '--out', out]),
      hotconf(['schema', '--schema', 'schema.ts', '--partial']),
    ])
    expect([written.code, partial.code]).toEqual([0, 0])
    const schema = JSON.parse(await readFile(out, 'utf8')) as JsonSchema
    expect(schema.properties.server?.properties.port?.['x-hotconf-restart']).toBe(true)
    expect(schema.properties.apiKey).toMatchObject({ writeOnly: true, 'x-hotconf-secret': true })
    expect(JSON.stringify(schema)).not.toContain('sk-cli-test-key-42')

    const ajv = new Ajv2020({ allErrors: true })
    ajv.addKeyword('x-hotconf-restart').addKeyword('x-hotconf-secret')
    const validate = ajv.compile(schema)
    const sample = parse(await readFile(join(FIXTURES, 'default.yaml'), 'utf8'))
    expect(validate(sample), JSON.stringify(validate.errors)).toBe(true)
    expect(validate({ ...sample, pool: { max: 5000 } })).toBe(false)
    expect(validate.errors?.[0]).toMatchObject({ instancePath: '/pool/max', keyword: 'maximum' })

    // A profile sets only some keys: --partial requires none.
    const profile = parse(await readFile(join(FIXTURES, 'production.yaml'), 'utf8'))
    expect(validate(profile)).toBe(false)
    expect(ajv.compile(JSON.parse(partial.stdout) as JsonSchema)(profile)).toBe(true)
  })
})

type JsonSchema = {
  properties: Partial<Record<string, { properties: Partial<Record<string, Record<string, unknown>>> }>>
}
