import { rename } from 'node:fs/promises'
import { messageOf } from '../error-message.ts'
import { ConfigError, issue } from '../errors.ts'
import { parseJson } from '../formats/parse-json.ts'
import { readBounded } from '../formats/read-bounded.ts'
import type { ConfigIssue } from '../types.ts'
import { writeFileAtomic } from './atomic-write.ts'
import { decodeTagged, stringifyTagged } from './tagged-json.ts'
import { withParentDir } from './with-parent-dir.ts'

/** How a JSON file reports that it was corrupt and moved aside. */
export type CorruptReport = (warning: { readonly code: 'CORRUPT_FILE'; readonly message: string }) => void

/** Options of `createJsonFile`. */
export interface JsonFileOptions<T> {
  /**
   * Checks the shape of the parsed document (a JSON object, its tagged values already decoded: dates, bigints, ...,
   * see `encodeTagged`) and returns it typed; throws when it is wrong.
   */
  parse(raw: Record<string, unknown>): T
  /** A larger file is refused (`SOURCE_FAILED`) before it is read. @default 10 MiB */
  readonly maxBytes?: number
}

/** A small typed JSON document on disk, written atomically, that never stops the service when it is corrupt. */
export interface JsonFile<T> {
  readonly path: string
  /**
   * The document; `undefined` when the file is missing. A corrupt file (not JSON, truncated, empty, not an object,
   * or refused by `parse`) is renamed to `<name>.corrupt-<ISO time, ':' as '-'>` in the same directory, reported
   * once, and read as missing. Throws a `ConfigError` `SOURCE_FAILED` when the file cannot be read at all: it is
   * not a regular file (a FIFO, a directory: reading would block, and moving it could break whoever owns it), it is
   * larger than `maxBytes`, or reading fails (EACCES, ...).
   */
  read(report: CorruptReport): Promise<T | undefined>
  /**
   * Replaces the file atomically with pretty JSON (values JSON cannot hold tagged, see `encodeTagged`; a value that
   * cannot be tagged, such as a function, rejects) and a final newline, owner-only (`0o600`: overrides and snapshots
   * may hold secret values). Creates missing parent directories. Rejects with the original error (EACCES, ENOSPC,
   * ENOTDIR when a path component is a regular file, ...) and leaves the file as it was. Writes happen in call
   * order, so the last call wins.
   */
  write(doc: T): Promise<void>
}

/** The exact text `JsonFile.write` puts in a file for `doc`: tagged, pretty JSON and a final newline. */
export function jsonText(doc: unknown): string {
  return `${stringifyTagged(doc, 2)}\n`
}

/**
 * A typed JSON document on disk: runtime overrides, named snapshots, the last known good config. Nothing is read or
 * written until `read` or `write` is called.
 * @example
 * const file = createJsonFile('.hotconf/state.json', {
 *   parse: (raw) => {
 *     if (typeof raw.revision !== 'number') throw new Error('"revision" must be a number')
 *     return { revision: raw.revision }
 *   },
 * })
 * const doc = (await file.read((w) => logger.warn(w.message))) ?? { revision: 0 }
 * await file.write({ revision: doc.revision + 1 })
 */
export function createJsonFile<T>(path: string, options: JsonFileOptions<T>): JsonFile<T> {
  if (typeof options?.parse !== 'function') {
    throw new ConfigError(
      issue(
        'BAD_OPTIONS',
        'parse',
        `createJsonFile(${path}) needs { parse(raw) } that checks the document's shape`,
      ),
    )
  }
  const { parse, maxBytes = 10 * 1024 * 1024 } = options
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new ConfigError(
      issue('BAD_OPTIONS', 'maxBytes', `createJsonFile(${path}): maxBytes must be a positive integer`),
    )
  }
  let writes: Promise<unknown> = Promise.resolve()

  async function read(report: CorruptReport): Promise<T | undefined> {
    const bytes = await readBounded(path, path, maxBytes)
    if (bytes === undefined) return undefined
    const text = new TextDecoder().decode(bytes)
    const parsed = parseJson(text, path)
    let problem: string
    if ('value' in parsed) {
      try {
        return parse(decodeTagged(parsed.value) as Record<string, unknown>)
      } catch (error) {
        problem = messageOf(error)
      }
    } else {
      problem = describe(parsed.issues[0]!)
    }
    report({ code: 'CORRUPT_FILE', message: await moveAside(path, problem) })
    return undefined
  }

  async function write(doc: T): Promise<void> {
    const text = jsonText(doc)
    const done = writes.then(() => withParentDir(path, () => writeFileAtomic(path, text, { mode: 0o600 })))
    writes = done.catch(() => {})
    return done
  }

  return { path, read, write }
}

// --- internal ---

/** Renames the corrupt file out of the way and says what happened; a file that cannot be moved is still reported. */
async function moveAside(path: string, problem: string): Promise<string> {
  const aside = `${path}.corrupt-${new Date().toISOString().replaceAll(':', '-')}`
  try {
    await rename(path, aside)
    return `${path} is corrupt (${problem}); moved aside to ${aside}`
  } catch (error) {
    return `${path} is corrupt (${problem}); could not move it aside to ${aside}: ${messageOf(error)}`
  }
}

function describe(parseIssue: ConfigIssue): string {
  return parseIssue.line === undefined
    ? parseIssue.message
    : `line ${parseIssue.line}, column ${parseIssue.column}: ${parseIssue.message}`
}
