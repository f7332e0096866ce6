import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createAuditLog } from '../../src/persist/audit-log.ts'
import { useTempDirs } from '../support/temp-dir.ts'

const tempDir = useTempDirs('hotconf-audit-')

async function lines(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8')
  expect(text.endsWith('\n')).toBe(true)
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line))
}

describe('createAuditLog', () => {
  it('writes 200 concurrent appends as 200 whole JSON lines in the order of the calls', async () => {
    const file = join(await tempDir(), 'logs', 'nested', 'audit.jsonl')
    const log = createAuditLog(file)
    // Records of very different sizes, so a torn or interleaved write would show.
    const records = Array.from({ length: 200 }, (_, seq) => ({ seq, pad: 'x'.repeat((seq * 997) % 5000) }))
    await Promise.all(records.map((record) => log.append(record)))
    await log.close()
    expect(await lines(file)).toEqual(records)
  })

  it('keeps earlier lines when a new log is opened on the same file', async () => {
    const file = join(await tempDir(), 'audit.jsonl')
    const first = createAuditLog(file)
    await first.append({ n: 1 })
    await first.close()
    const second = createAuditLog(file)
    await second.append({ n: 2 })
    await second.close()
    expect(await lines(file)).toEqual([{ n: 1 }, { n: 2 }])
  })

  it('writes a record with line breaks in its strings as one line', async () => {
    const file = join(await tempDir(), 'audit.jsonl')
    const log = createAuditLog(file)
    await log.append({ reason: 'two\nlines\r\nand\u2028more' })
    await log.close()
    expect(await lines(file)).toEqual([{ reason: 'two\nlines\r\nand\u2028more' }])
  })

  it('rejects only the append whose record cannot be serialized, and tags a bigint (issue 15)', async () => {
    const file = join(await tempDir(), 'audit.jsonl')
    const log = createAuditLog(file)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const results = await Promise.allSettled([
      log.append({ n: 1 }),
      log.append(cyclic),
      log.append({ big: 1n }),
      log.append({ n: 2 }),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    await log.close()
    expect(await lines(file)).toEqual([{ n: 1 }, { big: { $hotconf: 'bigint', value: '1' } }, { n: 2 }])
  })

  it('rejects with ENOTDIR while its directory is a regular file, and works once the path is free', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'logs'), 'not a directory')
    const file = join(dir, 'logs', 'audit.jsonl')
    const log = createAuditLog(file)
    await expect(log.append({ n: 1 })).rejects.toMatchObject({ code: 'ENOTDIR' })
    await expect(log.append({ n: 2 })).rejects.toMatchObject({ code: 'ENOTDIR' })
    await rm(join(dir, 'logs'))
    await log.append({ n: 3 })
    await log.close()
    expect(await lines(file)).toEqual([{ n: 3 }])
  })

  it('waits for pending appends on close and rejects appends after it', async () => {
    const file = join(await tempDir(), 'audit.jsonl')
    const log = createAuditLog(file)
    const pending = Array.from({ length: 5 }, (_, n) => log.append({ n }))
    await log.close()
    await Promise.all(pending)
    expect(await lines(file)).toHaveLength(5)
    await expect(log.append({ n: 5 })).rejects.toThrow(/closed/)
    await log.close()
    expect(await lines(file)).toHaveLength(5)
  })

  it('creates nothing when closed before any append', async () => {
    const dir = await tempDir()
    const log = createAuditLog(join(dir, 'logs', 'audit.jsonl'))
    await log.close()
    await expect(readFile(join(dir, 'logs', 'audit.jsonl'))).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
