import { link, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { nodeCrypto } from '../node-crypto.ts'
import { withParentDir } from './with-parent-dir.ts'

/** Options of `withFileLock`. */
export interface FileLockOptions {
  /**
   * A lock whose holder process is gone (same host) is taken over at once; one whose file is older than this is
   * taken over too (a holder on another host, or one that hangs).
   * @default 10000
   */
  readonly staleMs?: number
  /** Give up (reject) when the lock could not be taken within this long. @default 5000 */
  readonly timeoutMs?: number
}

/**
 * Runs `action` while holding an advisory lock on `lockPath`, shared by every process that uses the same path: the
 * lock file holds `<pid> <host> <nonce>` and is created whole, exclusively (written to a temp file, then `link`ed
 * into place, which fails when the lock exists, like `O_EXCL`); it is removed after
 * `action` settles. A waiter retries with a short backoff. A stale lock (its pid is dead on this host, or its file is
 * older than `staleMs`) is taken over by renaming it aside, which only one process can do; a process that finds it
 * renamed a fresh lock instead (another took over first) puts it back.
 * @example await withFileLock('.hotconf/overrides.json.lock', () => saveMerged())
 */
export async function withFileLock<T>(
  lockPath: string,
  action: () => Promise<T>,
  { staleMs = 10_000, timeoutMs = 5_000 }: FileLockOptions = {},
): Promise<T> {
  const token = `${process.pid} ${hostname()} ${nodeCrypto().randomBytes(6).toString('hex')}`
  const deadline = Date.now() + timeoutMs
  for (let wait = 1; !(await tryCreate(lockPath, token)); wait = Math.min(wait * 2, 50)) {
    if (await takeOverIfStale(lockPath, staleMs)) continue
    if (Date.now() > deadline) {
      const holder = await readFile(lockPath, 'utf8').catch(() => '?')
      throw new Error(
        `${lockPath} is held by another writer (${holder || 'starting'}) for more than ${timeoutMs} ms`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, wait + Math.random() * wait))
  }
  try {
    return await action()
  } finally {
    // Only our own lock: a holder that overran staleMs may have been taken over already.
    if ((await readFile(lockPath, 'utf8').catch(() => '')) === token) await rm(lockPath, { force: true })
  }
}

// --- internal ---

async function tryCreate(lockPath: string, token: string): Promise<boolean> {
  // Written aside, then linked into place: the lock never exists without its holder's pid, even if that is killed.
  const temp = `${lockPath}.${token.split(' ')[2]}.tmp`
  await withParentDir(temp, () => writeFile(temp, token, { mode: 0o600 }))
  try {
    await link(temp, lockPath)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  } finally {
    await rm(temp, { force: true })
  }
}

async function takeOverIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  const seen = await readFile(lockPath, 'utf8').catch(() => undefined)
  // Gone meanwhile: the next create may win.
  if (seen === undefined) return true
  const age = await stat(lockPath).then(
    (s) => Date.now() - s.mtimeMs,
    () => 0,
  )
  if (!holderGone(seen) && age < staleMs) return false
  const aside = `${lockPath}.${nodeCrypto().randomBytes(6).toString('hex')}.stale`
  try {
    await rename(lockPath, aside)
  } catch {
    return true
  }
  const moved = await readFile(aside, 'utf8').catch(() => '')
  // Another process took the stale lock over and locked again between our read and rename: give its lock back.
  if (moved !== seen) await link(aside, lockPath).catch(() => {})
  await rm(aside, { force: true })
  return true
}

/** True when the lock names a process on this host that no longer runs. */
function holderGone(content: string): boolean {
  const [pid, host] = content.split(' ')
  if (!pid || host !== hostname()) return false
  try {
    process.kill(Number(pid), 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
