import { mkdir, readFile, rename } from 'node:fs/promises'
import { dirname } from 'node:path'
import { ConfigError, issue } from '../errors.ts'
import { messageOf } from '../layers.ts'
import { writeFileAtomic } from './atomic-write.ts'

/** How a JSON file reports that it was corrupt and moved aside. */
export type CorruptReport = (warning: { readonly code: 'CORRUPT_FILE'; readonly message: string }) => void

/** A small typed JSON document on disk, written atomically, that never stops the service when corrupt. */
export interface JsonFile<T> {
  readonly path: string
  /** `undefined` when missing, or when corrupt: then it is moved aside to `<name>.corrupt-<time>` and reported. */
  read(report: CorruptReport): Promise<T | undefined>
  write(doc: T): Promise<void>
}

/**
 * @param parse checks the shape of the parsed JSON and returns the document; throws when it is wrong.
 */
export function createJsonFile<T>(path: string, parse: (raw: unknown) => T): JsonFile<T> {
  return {
    path,
    async read(report) {
      let text: string
      try {
        text = await readFile(path, 'utf8')
      } catch (error) {
        // ENOTDIR: a path component is a file, so this file cannot exist either.
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
        throw new ConfigError(
          issue('SOURCE_FAILED', '', `cannot read ${path}: ${messageOf(error)}`, { source: path }),
          {
            cause: error,
          },
        )
      }
      try {
        return parse(JSON.parse(text))
      } catch (error) {
        const aside = `${path}.corrupt-${new Date().toISOString().replaceAll(':', '-')}`
        await rename(path, aside)
        report({
          code: 'CORRUPT_FILE',
          message: `${path} is corrupt (${messageOf(error)}); moved aside to ${aside}`,
        })
        return undefined
      }
    },
    async write(doc) {
      await mkdir(dirname(path), { recursive: true })
      // Owner only: overrides and snapshots may hold secret values.
      await writeFileAtomic(path, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 })
    },
  }
}
