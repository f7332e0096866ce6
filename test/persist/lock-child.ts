/**
 * A process that uses `withFileLock`, for the lock tests. Modes:
 * - `hold <lock>`: takes the lock, prints `held`, and keeps it until killed;
 * - `count <lock> <counter file> <n>`: `n` times, under the lock, reads the counter file, adds one, writes it back.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { withFileLock } from '../../src/persist/file-lock.ts'

const [mode, lock, counter, times] = process.argv.slice(2)
if (mode === 'hold' && lock) {
  await withFileLock(lock, async () => {
    process.stdout.write('held\n')
    await new Promise(() => setInterval(() => {}, 1000))
  })
} else if (mode === 'count' && lock && counter) {
  for (let i = 0; i < Number(times); i++) {
    await withFileLock(
      lock,
      async () => {
        const n = Number(await readFile(counter, 'utf8').catch(() => '0'))
        await writeFile(counter, String(n + 1))
      },
      { timeoutMs: 30_000 },
    )
  }
} else {
  throw new Error('usage: lock-child.ts hold <lock> | count <lock> <counter> <n>')
}
