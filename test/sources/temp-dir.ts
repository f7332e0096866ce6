import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'

/** A fresh temp directory per test, removed after it; `write` puts a file in it and returns its path. */
export function useTempDir(): {
  readonly dir: () => string
  readonly write: (name: string, content: string | Uint8Array) => Promise<string>
} {
  let dir = ''
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotconf-sources-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })
  return {
    dir: () => dir,
    async write(name, content) {
      const path = join(dir, name)
      await writeFile(path, content)
      return path
    },
  }
}
