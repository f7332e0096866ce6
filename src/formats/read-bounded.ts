import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import { messageOf } from '../error-message.ts'
import { ConfigError, issue } from '../errors.ts'

/**
 * The file's bytes, or `undefined` when there is no file (or a path component is a file). Refuses what is not a
 * regular file (reading a FIFO would block forever) or is larger than `maxBytes`, and what cannot be read, with a
 * `ConfigError` `SOURCE_FAILED` whose issue names `source`. Reads `fileSource` files and the store's own JSON files.
 */
export async function readBounded(
  file: string,
  source: string,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  const failed = (message: string, cause?: unknown) =>
    new ConfigError(issue('SOURCE_FAILED', '', message, { source }), { cause })
  let bytes: Uint8Array
  try {
    // Opened without blocking and checked once open: a FIFO swapped in after a check cannot block the read.
    const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK)
    try {
      const info = await handle.stat()
      if (!info.isFile()) throw failed(`${file} is not a regular file`)
      if (info.size > maxBytes) throw failed(tooLarge(info.size, maxBytes))
      bytes = await handle.readFile()
    } finally {
      await handle.close()
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw failed(`cannot read ${file}: ${messageOf(error)}`, error)
  }
  // The file may have grown between the check and the read.
  return withinBounds(bytes, source, maxBytes)
}

/** `bytes`, or a `ConfigError` `SOURCE_FAILED` naming `source` when there are more than `maxBytes` of them. */
export function withinBounds(bytes: Uint8Array, source: string, maxBytes: number): Uint8Array {
  if (bytes.byteLength <= maxBytes) return bytes
  throw new ConfigError(issue('SOURCE_FAILED', '', tooLarge(bytes.byteLength, maxBytes), { source }))
}

// --- internal ---

function tooLarge(size: number, maxBytes: number): string {
  return `the file has ${size} bytes, more than maxBytes (${maxBytes})`
}
