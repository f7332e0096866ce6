import { lstat, readlink, stat } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'

/** What to watch for a set of files: their directories and, per directory, the entry names that matter. */
export interface WatchPlan {
  /** The files themselves, absolute, as the store lists them. */
  readonly files: readonly string[]
  /** Directory → the names in it whose change can change what a file reads (the file, symlinks, targets). */
  readonly names: ReadonlyMap<string, ReadonlySet<string>>
}

/**
 * Plans the watch of `files`. A file is watched through its directory, not its inode, because an atomic save
 * replaces the inode. Each symlink on the way to the content is watched too: a Kubernetes ConfigMap volume swaps
 * `..data` (a symlink to a timestamped directory) and never touches `app.yaml -> ..data/app.yaml` itself. A
 * directory that does not exist yet is watched through its nearest existing ancestor, for the name that leads to it.
 */
export async function planWatch(files: readonly string[]): Promise<WatchPlan> {
  const names = new Map<string, Set<string>>()
  const add = (dir: string, name: string) => {
    const set = names.get(dir)
    if (set) set.add(name)
    else names.set(dir, new Set([name]))
  }
  for (const file of files) {
    for (const path of await linkChain(file)) add(dirname(path), basename(path))
  }
  for (const dir of [...names.keys()]) {
    let missing = dir
    while (!(await isDirectory(missing)) && dirname(missing) !== missing) {
      names.delete(missing)
      add(dirname(missing), basename(missing))
      missing = dirname(missing)
    }
  }
  return { files, names }
}

/** True when both plans watch the same names in the same directories. */
export function samePlan(a: WatchPlan, b: WatchPlan): boolean {
  if (a.names.size !== b.names.size) return false
  for (const [dir, set] of a.names) {
    const other = b.names.get(dir)
    if (!other || other.size !== set.size || [...set].some((n) => !other.has(n))) return false
  }
  return a.files.length === b.files.length && a.files.every((f, i) => f === b.files[i])
}

// --- internal ---

const MAX_HOPS = 32

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch {
    return false
  }
}

/**
 * The file, each symlink met while resolving it, and the final target. Links are looked for in the last component
 * and, after a hop, in the components the link added below its own directory (`..data/app.yaml`). A missing entry
 * ends the chain: the directory watch still sees it come back.
 */
async function linkChain(file: string): Promise<string[]> {
  const chain = [file]
  let current = file
  let base = dirname(file)
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const link = await firstLink(base, current)
    if (link === undefined) break
    let target: string
    try {
      target = await readlink(link)
    } catch {
      break
    }
    if (link !== file) chain.push(link)
    base = dirname(link)
    current = join(resolve(base, target), relative(link, current))
  }
  if (current !== file) chain.push(current)
  return chain
}

/** The first symlink among the components of `path` below `base` (or `path` itself when it lies elsewhere). */
async function firstLink(base: string, path: string): Promise<string | undefined> {
  const rel = relative(base, path)
  const below = rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)
  let at = below ? base : path
  for (const part of below ? rel.split(sep) : ['']) {
    at = join(at, part)
    try {
      if ((await lstat(at)).isSymbolicLink()) return at
    } catch {
      return undefined
    }
  }
  return undefined
}
