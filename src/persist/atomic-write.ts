import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/**
 * Replaces a file so that readers see the old content or the new, never a mix: write a temp file in the same
 * directory, fsync it, rename it over the target, fsync the directory. On failure the temp file is removed and the
 * original error (with its `code`: EACCES, ENOSPC, ENOTDIR, ...) is rethrown; the target is untouched.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  { fsync = true, mode = 0o644 }: { fsync?: boolean; mode?: number } = {},
): Promise<void> {
  const dir = dirname(path)
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const handle = await open(temp, 'wx', mode)
    try {
      await handle.writeFile(data)
      if (fsync) await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {})
    throw error
  }
  if (fsync) await syncDir(dir)
}

// --- internal ---

async function syncDir(dir: string): Promise<void> {
  // The rename is durable only once the directory entry is; some filesystems refuse fsync on a directory.
  const handle = await open(dir, 'r')
  try {
    await handle.sync().catch(() => {})
  } finally {
    await handle.close()
  }
}
