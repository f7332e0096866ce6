import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConfigError } from '../../src/errors.ts'
import { envSource } from '../../src/sources/index.ts'
import { fileIssues, loadFile } from './load-file.ts'
import { useTempDir } from './temp-dir.ts'

const tmp = useTempDir()

/** `count` lines `k<i>: <i>`, YAML. */
function wideYaml(count: number): string {
  return Array.from({ length: count }, (_, i) => `k${i}: ${i}`).join('\n')
}

describe('large files', () => {
  // yaml's own duplicate check compares every key with every earlier one: a 50,000-key file took minutes.
  it('finds a duplicate key at the end of a 50,000-key YAML file, at its line', async () => {
    const path = await tmp.write('wide.yaml', `${wideYaml(50_000)}\nk5: 1\n`)
    expect(await fileIssues(path)).toEqual([
      expect.objectContaining({ code: 'PARSE_ERROR', source: path, line: 50_001, column: 1 }),
    ])
  })

  it('loads a 50,000-key YAML file without a duplicate', async () => {
    const { data = {} } = await loadFile(await tmp.write('wide.yaml', wideYaml(50_000)))
    expect(Object.keys(data)).toHaveLength(50_000)
    expect(data.k49999).toBe(49_999)
  })

  it('points at a forbidden key deep in a large JSON file by line and column', async () => {
    const entries = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, { v: i }]))
    const text = JSON.stringify(entries, null, 1).replace('"k19000": {', '"k19000": {"__proto__": 1, ')
    const path = await tmp.write('wide.json', text)
    const line = text.split('\n').findIndex((l) => l.includes('__proto__')) + 1
    expect(await fileIssues(path)).toEqual([
      expect.objectContaining({ code: 'FORBIDDEN_KEY', path: 'k19000.__proto__', line, column: 13 }),
    ])
  })

  it('reports the first 100 problems in file order and counts the rest in one more issue', async () => {
    const items = Array.from({ length: 150 }, (_, i) => `{"constructor": ${i}}`)
    const path = await tmp.write('many.json', `{"list": [\n${items.join(',\n')}\n]}`)
    const issues = await fileIssues(path)
    expect(issues).toHaveLength(101)
    expect(issues.slice(0, 100).map((i) => i.line)).toEqual(Array.from({ length: 100 }, (_, i) => i + 2))
    expect(issues[100]).toMatchObject({ code: 'FORBIDDEN_KEY', message: '50 more problems like the above' })
  })

  it('expands YAML merge keys (<<) and lets the mapping override what it merges', async () => {
    const path = await tmp.write(
      'merge.yaml',
      'base: &base\n  min: 1\n  max: 2\npool:\n  <<: *base\n  max: 5\n',
    )
    expect((await loadFile(path)).data).toEqual({ base: { min: 1, max: 2 }, pool: { min: 1, max: 5 } })
  })
})

describe('envSource keys and shapes', () => {
  const schema = z.object({
    regions: z.partialRecord(z.enum(['euWest', 'usEast']), z.number()).default({}),
    limits: z.record(z.string(), z.number()).default({}),
    pool: z.object({ min: z.number(), max: z.number() }).partial().default({}),
    tags: z.array(z.string()).default([]),
  })
  const load = (env: Record<string, string>) =>
    envSource({ prefix: 'APP_', env }).load({ environment: 'test', schema })
  const issuesOf = async (env: Record<string, string>) => {
    const error = await load(env).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    return (error as ConfigError).issues
  }

  it('matches the keys of an enum-keyed record like object keys', async () => {
    expect((await load({ APP_REGIONS__EU_WEST: '3', APP_REGIONS__usEast: '4' })).data).toEqual({
      regions: { euWest: 3, usEast: 4 },
    })
  })

  it('lower-cases a free record key written in capitals and keeps one written in mixed case', async () => {
    expect((await load({ APP_LIMITS__EU_WEST: '1', APP_LIMITS__usEast: '2' })).data).toEqual({
      limits: { eu_west: 1, usEast: 2 },
    })
  })

  it('wants a JSON object for an object and a JSON array for an array, without echoing the value', async () => {
    const issues = await issuesOf({ APP_POOL: '[1,2]', APP_TAGS: '{"a":"s3cr3t"}' })
    expect(issues.map((i) => [i.code, i.path, i.source])).toEqual([
      ['INVALID', 'pool', 'APP_POOL'],
      ['INVALID', 'tags', 'APP_TAGS'],
    ])
    expect(issues.map((i) => i.message).join(' ')).not.toContain('s3cr3t')
  })

  it('combines a parent JSON object with a deeper variable, the deeper one winning', async () => {
    expect((await load({ APP_POOL: '{"min":1,"max":2}', APP_POOL__MAX: '9' })).data).toEqual({
      pool: { min: 1, max: 9 },
    })
  })
})
