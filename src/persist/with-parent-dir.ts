import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * Runs `action` on `path`; when it fails with ENOENT, creates the parent directories (`mkdir -p`) and runs it once
 * more. Trying first keeps the common case to one call, and keeps the real error when the layout is broken: a
 * regular file where a directory should be fails with ENOTDIR, where `mkdir -p` first would say EEXIST.
 * @internal
 */
export async function withParentDir<T>(path: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    await mkdir(dirname(path), { recursive: true })
    return action()
  }
}
