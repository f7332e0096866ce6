import { type FileHandle, open } from 'node:fs/promises'
import { encodeTagged } from './tagged-json.ts'
import { withParentDir } from './with-parent-dir.ts'

/** An append-only JSONL file: one line per record. */
export interface AuditLog {
  /**
   * Appends `record` as one JSON line and resolves once it is on disk (`datasync`). Values JSON cannot hold (a
   * bigint, a Map, a Set, NaN) are tagged as in `encodeTagged`; dates stay ISO strings. Rejects when the record
   * cannot be serialized (a cycle) or the write fails; later appends are not affected.
   */
  append(record: object): Promise<void>
  /** Waits for pending appends, then closes the file. Appends after `close` reject. */
  close(): Promise<void>
}

/**
 * Opens an audit log (the file and its parent directories are created on the first append). Appends are queued:
 * lines never interleave and keep the order of the calls, even from concurrent callers. Each line goes out in one
 * `write` on a file opened for appending, so other processes appending to the same file do not split it either, and
 * is followed by `datasync`, so a record that resolved survives a crash.
 *
 * A failed append only rejects. The store logs and counts it and carries on: an audit failure never blocks config
 * changes, because refusing every change while the log disk is full would also refuse the change that fixes things.
 * A file that could not be opened is tried again on the next append.
 * @example
 * const audit = createAuditLog('/var/log/app/config-audit.jsonl')
 * await audit.append({ at: new Date().toISOString(), actor: 'ops@x', status: 'committed', revision: 7 })
 * await audit.close()
 */
export function createAuditLog(file: string): AuditLog {
  let handle: Promise<FileHandle> | undefined
  let queue: Promise<unknown> = Promise.resolve()
  let closed = false

  function opened(): Promise<FileHandle> {
    if (handle) return handle
    const opening = withParentDir(file, () => open(file, 'a'))
    // Forget a failed open so the next append tries again (the directory may be back, the disk freed).
    opening.catch(() => {
      if (handle === opening) handle = undefined
    })
    handle = opening
    return opening
  }

  async function append(record: object): Promise<void> {
    if (closed) throw new Error(`audit log ${file} is closed`)
    // JSON.stringify escapes line breaks inside strings, so the record is exactly one line.
    const line = Buffer.from(`${JSON.stringify(record, tagOdd)}\n`)
    const done = queue.then(() => writeLine(line))
    queue = done.catch(() => {})
    return done
  }

  async function writeLine(line: Buffer): Promise<void> {
    const h = await opened()
    let { bytesWritten } = await h.write(line)
    // A short write (a nearly full disk) would leave half a line: finish it before the next record starts.
    while (bytesWritten < line.length) {
      bytesWritten += (await h.write(line, bytesWritten)).bytesWritten
    }
    await h.datasync()
  }

  async function close(): Promise<void> {
    closed = true
    await queue
    const h = await handle?.catch(() => undefined)
    handle = undefined
    await h?.close()
  }

  return { append, close }
}

/**
 * The highest `revision` among the last records of an audit log (its last 64 KiB), or 0 when there is no log or no
 * readable record: a restarted store continues after it, so audit lines never repeat a revision.
 */
export async function lastAuditRevision(file: string): Promise<number> {
  let handle: FileHandle | undefined
  try {
    handle = await open(file, 'r')
    const { size } = await handle.stat()
    const length = Math.min(size, TAIL_BYTES)
    const { buffer } = await handle.read(Buffer.alloc(length), 0, length, size - length)
    let last = 0
    // The first line of the tail may be cut; a line that does not parse (a torn last write) is skipped.
    for (const line of buffer.toString('utf8').split('\n')) {
      try {
        const revision = (JSON.parse(line) as { revision?: unknown }).revision
        if (typeof revision === 'number' && revision > last) last = revision
      } catch {}
    }
    return last
  } catch {
    return 0
  } finally {
    await handle?.close()
  }
}

// --- internal ---

const TAIL_BYTES = 64 * 1024

/** A `JSON.stringify` replacer: tags what JSON would throw on or turn into `{}` or `null`. */
function tagOdd(_key: string, value: unknown): unknown {
  const odd =
    typeof value === 'bigint' ||
    value instanceof Map ||
    value instanceof Set ||
    (typeof value === 'number' && !Number.isFinite(value))
  return odd ? encodeTagged(value) : value
}
