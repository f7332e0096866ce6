import { describe, expect, it } from 'vitest'
import { fileSource } from '../../src/sources/index.ts'
import { ctx } from './load-file.ts'
import { useTempDir } from './temp-dir.ts'

const tmp = useTempDir()

describe('fileSource: a reload reads what changed (#23)', () => {
  it('returns the same layer, objects included, when the bytes have not changed', async () => {
    const path = await tmp.write('app.yaml', 'pool:\n  max: 1\n')
    const source = fileSource(path)
    const first = await source.load(ctx)
    await tmp.write('app.yaml', 'pool:\n  max: 1\n')
    expect(await source.load(ctx)).toBe(first)
  })

  it('keeps untouched subtrees when one value of a YAML file changed', async () => {
    const path = await tmp.write('app.yaml', 'server:\n  port: 8080\npool:\n  max: 1\n')
    const source = fileSource(path)
    const first = await source.load(ctx)
    await tmp.write('app.yaml', 'server:\n  port: 8080\npool:\n  max: 2\n')
    const second = await source.load(ctx)
    expect(second.data).toEqual({ server: { port: 8080 }, pool: { max: 2 } })
    expect(second.data?.server).toBe(first.data?.server)
    expect(second.version).not.toBe(first.version)
  })

  it('reads a JSON file again when it changed, and the new bytes after a file that failed', async () => {
    const path = await tmp.write('app.json', '{"pool": {"max": 1}}')
    const source = fileSource(path)
    const first = await source.load(ctx)
    await tmp.write('app.json', '{"pool": {"max": 1},')
    await expect(source.load(ctx)).rejects.toThrow(/app\.json/)
    await tmp.write('app.json', '{"pool": {"max": 1}}')
    expect(await source.load(ctx)).toBe(first)
    await tmp.write('app.json', '{"pool": {"max": 3}}')
    expect((await source.load(ctx)).data).toEqual({ pool: { max: 3 } })
  })

  it('starts from the last good read after a YAML save that did not parse', async () => {
    const path = await tmp.write('app.yaml', 'a:\n  b: 1\nc: 2\n')
    const source = fileSource(path)
    const first = await source.load(ctx)
    await tmp.write('app.yaml', 'a:\n  b: [1\nc: 2\n')
    await expect(source.load(ctx)).rejects.toThrow(/app\.yaml/)
    await tmp.write('app.yaml', 'a:\n  b: 1\nc: 5\n')
    const third = await source.load(ctx)
    expect(third.data).toEqual({ a: { b: 1 }, c: 5 })
    expect(third.data?.a).toBe(first.data?.a)
  })

  it('takes the bytes the reload was handed instead of reading the file, within maxBytes', async () => {
    const path = await tmp.write('app.yaml', 'pool:\n  max: 1\n')
    const source = fileSource(path, { maxBytes: 64 })
    const handed = (text: string) => ({ ...ctx, contents: new Map([[path, Buffer.from(text)]]) })
    // The disk says 1: only the handed bytes can say 2.
    expect((await source.load(handed('pool:\n  max: 2\n'))).data).toEqual({ pool: { max: 2 } })
    await expect(source.load(handed(`pool:\n  max: ${'9'.repeat(80)}\n`))).rejects.toMatchObject({
      issues: [{ code: 'SOURCE_FAILED', source: path }],
    })
    // Bytes for another file are no read of this one.
    const other = { ...ctx, contents: new Map([[`${path}.other`, Buffer.from('pool:\n  max: 3\n')]]) }
    expect((await source.load(other)).data).toEqual({ pool: { max: 1 } })
  })
})
