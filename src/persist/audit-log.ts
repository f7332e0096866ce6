import { type FileHandle, mkdir, open } from 'node:fs/promises'
import { dirname } from 'node:path'

/** An append-only JSONL file: one line per transaction outcome. */
export interface AuditLog {
  append(record: object): Promise<void>
  close(): Promise<void>
}

/**
 * Appends are serialized (lines never interleave, order of calls kept), each one line in one `write`, then
 * `datasync`. A failed append rejects; the store logs it and goes on: an audit failure never blocks config changes,
 * because refusing every change while the log disk is full would take away the means to fix things.
 */
export function createAuditLog(file: string): AuditLog {
  let handle: Promise<FileHandle> | undefined
  let tail: Promise<void> = Promise.resolve()
  const opened = () => {
    handle ??= mkdir(dirname(file), { recursive: true }).then(() => open(file, 'a'))
    return handle
  }
  return {
    append(record) {
      const line = `${JSON.stringify(record)}\n`
      const done = tail.then(async () => {
        const h = await opened()
        await h.write(line)
        await h.datasync()
      })
      tail = done.catch(() => {})
      return done
    },
    async close() {
      await tail
      if (handle) await (await handle.catch(() => undefined))?.close()
      handle = undefined
    },
  }
}
