import type { BigIntStats } from 'node:fs'
import { constants } from 'node:fs'
import { type FileHandle, open, stat } from 'node:fs/promises'
import { contentHash } from '../../adapter-kit.ts'

/** What a watched file holds right now, as far as reloading is concerned. */
export interface FileState {
  /** Content hash (or the error code when it cannot be read); `undefined` when the file is missing. */
  readonly hash: string | undefined
  /** True when the file is missing or empty: maybe deleted for good, maybe half-way through a save. */
  readonly void: boolean
  /** False when the file changed while it was read (size, mtime or inode moved between two stats). */
  readonly stable: boolean
  /** What was read, when the file was read whole and stable: handed to the reload, which need not read it again. */
  readonly bytes?: Uint8Array
}

/**
 * Reads a file's content hash between the stats of what was opened and of what the path names afterwards,
 * following symlinks. A save caught half-way shows up as unstable (the stats differ: written to, or replaced by a
 * rename) or as a void file (truncated, or renamed away and not yet back). Never throws: a file that cannot be
 * read gets its error code as hash, so the reload runs and the source reports the error with its details.
 * Four steps on the thread pool (open, fstat, one read, then the path's stat and the close at once), as this read is
 * on the way from a save to its commit; a read-only handle loses nothing when its close fails.
 */
export async function readState(file: string): Promise<FileState> {
  let handle: FileHandle
  try {
    // Without blocking: a FIFO opens at once, and is then left unread.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    return failed(error)
  }
  const close = () => handle.close().catch(() => undefined)
  let before: BigIntStats
  let content: Buffer
  try {
    before = await handle.stat({ bigint: true })
    // Not read: a FIFO would block, a huge file would fill memory. The source refuses both with details.
    if (!before.isFile() || before.size > MAX_READ) {
      await close()
      return { hash: keyOf(before), void: false, stable: true }
    }
    content = await readAll(handle, Number(before.size))
  } catch (error) {
    await close()
    return failed(error)
  }
  // Whether a rename replaced what was read: the path's stat need not wait for the close.
  const [after] = await Promise.all([statOf(file), close()])
  const stable =
    typeof after === 'object' && keyOf(after) === keyOf(before) && content.length === Number(before.size)
  return {
    hash: contentHash(content),
    void: content.length === 0,
    stable,
    ...(stable ? { bytes: content } : {}),
  }
}

// --- internal ---

const MAX_READ = 64 * 1024 * 1024

/** The first `size` bytes (fewer when the file shrank meanwhile: the stats then differ). */
async function readAll(handle: FileHandle, size: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(size)
  let filled = 0
  while (filled < size) {
    const { bytesRead } = await handle.read(buffer, filled, size - filled, filled)
    if (bytesRead === 0) break
    filled += bytesRead
  }
  return buffer.subarray(0, filled)
}

function failed(error: unknown): FileState {
  return isMissing(error)
    ? { hash: undefined, void: true, stable: true }
    : { hash: `!${codeOf(error)}`, void: false, stable: true }
}

/** The file's stats, `undefined` when it is missing, or its error code. */
async function statOf(file: string): Promise<BigIntStats | string | undefined> {
  try {
    return await stat(file, { bigint: true })
  } catch (error) {
    return isMissing(error) ? undefined : `!${codeOf(error)}`
  }
}

function keyOf(s: BigIntStats): string {
  return `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}:${s.dev}`
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'EUNKNOWN'
}

function isMissing(error: unknown): boolean {
  const code = codeOf(error)
  return code === 'ENOENT' || code === 'ENOTDIR'
}
