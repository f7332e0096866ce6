import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createConfigStore } from '../../src/index.ts'
import { jsonLayer } from '../support/json-layer.ts'
import { useTempDirs } from '../support/temp-dir.ts'

const tempDir = useTempDirs()
const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const schema = z.object({ a: z.number(), b: z.number().default(0) })

async function setUp(overrides: boolean) {
  const dir = await tempDir()
  const low = join(dir, 'low.json')
  const high = join(dir, 'high.json')
  await writeFile(low, JSON.stringify({ a: 1, b: 1 }))
  await writeFile(high, JSON.stringify({ b: 9 }))
  const store = await createConfigStore({
    schema,
    environment: 'test',
    sources: [jsonLayer(low), jsonLayer(high)],
    ...(overrides ? { overrides: { file: join(dir, 'overrides.json') } } : {}),
    logger: quiet,
  })
  return { store, low }
}

describe('a reload whose effective config is unchanged (issue 15)', () => {
  it('keeps the fresh file value under an override, so explain and reset see it', async () => {
    const { store, low } = await setUp(true)
    await store.set('a', 5)
    await writeFile(low, JSON.stringify({ a: 2, b: 1 }))
    expect(await store.reload()).toMatchObject({ status: 'unchanged', revision: 2 })
    expect(store.explain('a').shadowed).toEqual([{ layer: expect.stringContaining('low.json'), value: 2 }])
    expect(await store.reset('a')).toMatchObject({
      status: 'committed',
      changes: [{ path: 'a', from: 5, to: 2 }],
    })
    expect(store.current.a).toBe(2)
    await store.close()
  })

  it('keeps the fresh value of a file that a higher file hides, without an overrides backend', async () => {
    const { store, low } = await setUp(false)
    await writeFile(low, JSON.stringify({ a: 1, b: 7 }))
    expect(await store.reload()).toMatchObject({ status: 'unchanged', revision: 1 })
    expect(store.explain('b').shadowed).toEqual([
      { layer: expect.stringContaining('low.json'), value: 7 },
      { layer: 'default', value: 0 },
    ])
    await store.close()
  })
})
