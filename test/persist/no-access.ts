import { chmod } from 'node:fs/promises'

/** Root ignores permission bits, so chmod cannot make a directory unwritable for it. */
export const asRoot = process.getuid?.() === 0

/** The title suffix, and a warning in the output, for tests that only run when chmod can take access away. */
export const CHMOD_SKIP = ' (skipped as root: chmod does not stop root)'

if (asRoot) console.warn(`persist tests: running as root, the chmod variants are skipped${CHMOD_SKIP}`)

/** Runs `body` with `path` set to `mode`, then gives the owner full access again so the temp dir can be removed. */
export async function withMode<T>(path: string, mode: number, body: () => Promise<T>): Promise<T> {
  await chmod(path, mode)
  try {
    return await body()
  } finally {
    await chmod(path, 0o755)
  }
}
