import { type FileHandle, open, realpath, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { nodeCrypto } from '../node-crypto.ts'

/** Options of `writeFileAtomic`. */
export interface WriteFileAtomicOptions {
  /**
   * Flush the file and then its directory entry to disk before resolving, so the new content survives a power cut
   * and not only a crash of the process. Turn it off only for scratch files.
   * @default true
   */
  readonly fsync?: boolean
  /**
   * Permission bits of the written file, set exactly (the umask does not reduce them).
   * @default the target's current mode; for a new file 0o666 less the umask
   */
  readonly mode?: number
}

/**
 * Replaces a file so that readers, and the file after a crash at any moment, hold the old content or the new, never
 * a mix or an empty file: write a temp file `.<name>.<pid>.<random>.tmp` in the same directory, fsync it, rename it
 * over the target, fsync the directory. A symlinked target keeps its link: the file it points at is replaced.
 *
 * On failure the temp file is removed and the original error is rethrown with its `code` (EACCES, ENOSPC, ENOTDIR,
 * EISDIR, ...); the target is untouched. The parent directory must exist. Only when the last step, the directory fsync,
 * fails is the new content already in place: the error is thrown all the same, since it may not survive a power cut.
 * A process killed mid-write can leave its hidden temp file behind, never a broken target.
 * @example
 * await writeFileAtomic('.hotconf/overrides.json', `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 })
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  { fsync = true, mode }: WriteFileAtomicOptions = {},
): Promise<void> {
  // A missing or unreadable target is written as given; open() then reports the real error.
  const target = await realpath(path).catch(() => path)
  const dir = dirname(target)
  const temp = join(
    dir,
    `.${basename(target)}.${process.pid}.${nodeCrypto().randomBytes(6).toString('hex')}.tmp`,
  )
  const bits = mode ?? (await currentMode(target))
  let handle: FileHandle | undefined
  try {
    // Created owner-only when a mode is asked for, so no other user can open it before chmod narrows or widens it.
    handle = await open(temp, 'wx', bits === undefined ? 0o666 : 0o600)
    if (bits !== undefined) await handle.chmod(bits)
    await handle.writeFile(data)
    if (fsync) await handle.sync()
    // Some filesystems (NFS) report a failed write only at close: it must fail the write.
    await handle.close()
    handle = undefined
    await rename(temp, target)
  } catch (error) {
    await handle?.close().catch(() => {})
    await rm(temp, { force: true }).catch(() => {})
    throw error
  }
  if (fsync) await syncDir(dir)
}

// --- internal ---

/** Errors of a directory fsync that mean "not supported here" (Windows, some network filesystems), not "failed". */
const UNSUPPORTED_DIR_SYNC = new Set(['EISDIR', 'EPERM', 'EINVAL', 'ENOTSUP', 'EBADF'])

async function currentMode(file: string): Promise<number | undefined> {
  return stat(file).then(
    (stats) => stats.mode & 0o7777,
    () => undefined,
  )
}

async function syncDir(dir: string): Promise<void> {
  // The rename is durable only once the directory entry is on disk.
  let handle: FileHandle | undefined
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch (error) {
    if (!UNSUPPORTED_DIR_SYNC.has((error as NodeJS.ErrnoException).code ?? '')) throw error
  } finally {
    await handle?.close()
  }
}
