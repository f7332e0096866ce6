import type { BigIntStats } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
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
 * Reads a file's content hash between two stats, following symlinks. A save caught half-way shows up as unstable
 * (the stats differ) or as a void file (truncated, or renamed away and not yet back). Never throws: a file that
 * cannot be read gets its error code as hash, so the reload runs and the source reports the error with its details.
 */
export async function readState(file: string): Promise<FileState> {
  const before = await statOf(file)
  if (typeof before === 'string') return { hash: before, void: false, stable: true }
  if (before === undefined) return { hash: undefined, void: true, stable: true }
  // Not read: a FIFO would block, a huge file would fill memory. The source refuses both with details.
  if (!before.isFile() || before.size > MAX_READ) return { hash: keyOf(before), void: false, stable: true }
  let content: Buffer
  try {
    content = await readFile(file)
  } catch (error) {
    return isMissing(error)
      ? { hash: undefined, void: true, stable: false }
      : { hash: `!${codeOf(error)}`, void: false, stable: true }
  }
  const after = await statOf(file)
  const stable =
    typeof after === 'object' && keyOf(after) === keyOf(before) && after.size === BigInt(content.length)
  return {
    hash: contentHash(content),
    void: content.length === 0,
    stable,
    ...(stable ? { bytes: content } : {}),
  }
}

// --- internal ---

const MAX_READ = 64 * 1024 * 1024

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
