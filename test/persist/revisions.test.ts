import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createConfigStore } from '../../src/index.ts'
import { jsonLayer } from '../support/json-layer.ts'
import { useTempDirs } from '../support/temp-dir.ts'

const tempDir = useTempDirs()
const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const schema = z.object({ a: z.number().default(0), b: z.number().default(0) })

async function setUp() {
  const dir = await tempDir()
  const layer = join(dir, 'layer.json')
  await writeFile(layer, JSON.stringify({ b: 1 }))
  const file = join(dir, 'overrides.json')
  const audit = join(dir, 'audit.jsonl')
  const open = (extra: object = {}) =>
    createConfigStore({
      schema,
      environment: 'test',
      sources: [jsonLayer(layer)],
      overrides: { file },
      logger: quiet,
      ...extra,
    })
  return { open, file, layer, audit }
}

describe('revisions across restarts (issue 15)', () => {
  it('continue from the persisted revision when a store restarts on the overrides file', async () => {
    const { open, file } = await setUp()
    const first = await open()
    await first.set('a', 1)
    await first.set('a', 2)
    expect(first.revision).toBe(3)
    await first.close()
    const second = await open()
    expect(second.revision).toBe(4)
    expect(await second.set('a', 3)).toMatchObject({ status: 'committed', revision: 5 })
    await second.close()
    expect(JSON.parse(await readFile(file, 'utf8')).revision).toBe(5)
  })

  it('never repeat in the audit log, even after commits that wrote no overrides', async () => {
    const { open, layer, audit } = await setUp()
    const first = await open({ audit: { file: audit } })
    await first.set('a', 1)
    for (const b of [2, 3, 4]) {
      await writeFile(layer, JSON.stringify({ b }))
      expect(await first.reload()).toMatchObject({ status: 'committed' })
    }
    await first.close()
    const second = await open({ audit: { file: audit } })
    expect(second.revision).toBe(6)
    await second.set('a', 2)
    await second.close()
    const committed = (await readFile(audit, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((r) => r.status === 'committed')
      .map((r) => r.revision)
    expect(committed).toEqual([2, 3, 4, 5, 7])
  })

  it('continue past the last known good config and pinned snapshots', async () => {
    const { open, layer } = await setUp()
    const first = await open({ lastKnownGood: true })
    await first.set('a', 1)
    await writeFile(layer, JSON.stringify({ b: 2 }))
    await first.reload()
    await first.snapshot({ label: 'pinned' })
    await first.close()
    const second = await open({ lastKnownGood: true })
    expect(second.revision).toBe(4)
    await second.close()
  })
})
