import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { stringify } from 'yaml'
import { z } from 'zod'
import { fileSource } from '../../src/sources/index.ts'
import { FORBIDDEN_KEYS } from '../../src/tree/forbidden.ts'
import { useTempDir } from './temp-dir.ts'

const tmp = useTempDir()
const ctx = { environment: 'test', schema: z.object({}) }

const key = fc.string({ unit: 'binary', maxLength: 12 }).filter((k) => !FORBIDDEN_KEYS.has(k))
const leaf = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  // -0 has no JSON spelling of its own.
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
)
const { tree } = fc.letrec((tie) => ({
  tree: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    tie('tree'),
  ),
}))

describe('fileSource round trip', () => {
  test.prop([tree], { numRuns: 100 })('loads back what was written as JSON and as YAML', async (data) => {
    const json = await tmp.write('data.json', JSON.stringify(data, null, 2))
    const yaml = await tmp.write('data.yaml', stringify(data))
    expect((await fileSource(json).load(ctx)).data).toEqual(data)
    expect((await fileSource(yaml).load(ctx)).data).toEqual(data)
  })
})
