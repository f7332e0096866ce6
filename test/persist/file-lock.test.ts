import { type ChildProcess, spawn } from 'node:child_process'
import { readFile, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { withFileLock } from '../../src/persist/file-lock.ts'
import { useTempDirs } from '../support/temp-dir.ts'

const tempDir = useTempDirs()
const CHILD = fileURLToPath(new URL('./lock-child.ts', import.meta.url))
const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

function child(...args: string[]): ChildProcess {
  const c = spawn(process.execPath, ['--conditions=@hotconf/source', '--import', 'tsx', CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.push(c)
  return c
}

/** Starts a child that takes the lock and holds it; resolves once it holds it. */
async function holder(lock: string): Promise<ChildProcess> {
  const c = child('hold', lock)
  await new Promise<void>((resolve, reject) => {
    c.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve())
    c.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)))
  })
  return c
}

const exited = (c: ChildProcess) => new Promise((resolve) => c.once('exit', resolve))

describe('withFileLock', () => {
  it('takes over the lock of a holder that was SIGKILLed, without waiting for staleMs', async () => {
    const lock = join(await tempDir(), 'overrides.json.lock')
    for (let i = 0; i < 3; i++) {
      const held = await holder(lock)
      held.kill('SIGKILL')
      await exited(held)
      expect(await withFileLock(lock, async () => 'mine', { staleMs: 60_000, timeoutMs: 5_000 })).toBe('mine')
    }
  }, 60_000)

  it('waits for a live holder and gives up after timeoutMs, naming the holder', async () => {
    const lock = join(await tempDir(), 'overrides.json.lock')
    const held = await holder(lock)
    await expect(withFileLock(lock, async () => 'mine', { timeoutMs: 200 })).rejects.toThrow(
      `held by another writer (${held.pid} `,
    )
  }, 30_000)

  it('takes over a lock older than staleMs when its holder is on another host', async () => {
    const lock = join(await tempDir(), 'overrides.json.lock')
    await writeFile(lock, '4242 some-other-host abcdef')
    const old = new Date(Date.now() - 60_000)
    await utimes(lock, old, old)
    expect(await withFileLock(lock, async () => 'mine', { staleMs: 10_000, timeoutMs: 1_000 })).toBe('mine')
    await expect(readFile(lock)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('excludes every other holder when three processes and this one increment one counter', async () => {
    const dir = await tempDir()
    const lock = join(dir, 'counter.lock')
    const counter = join(dir, 'counter')
    const runs = [
      child('count', lock, counter, '30'),
      child('count', lock, counter, '30'),
      child('count', lock, counter, '30'),
    ]
    const mine = Array.from({ length: 30 }, () =>
      withFileLock(
        lock,
        async () => {
          const n = Number(await readFile(counter, 'utf8').catch(() => '0'))
          await writeFile(counter, String(n + 1))
        },
        { timeoutMs: 30_000 },
      ),
    )
    await Promise.all([...mine, ...runs.map(exited)])
    expect(runs.map((r) => r.exitCode)).toEqual([0, 0, 0])
    expect(await readFile(counter, 'utf8')).toBe('120')
  }, 120_000)
})
