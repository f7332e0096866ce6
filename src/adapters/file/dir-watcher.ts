import { basename, dirname, join } from 'node:path'
import type { FSWatcher } from 'chokidar'
import { importOptional } from '../../adapter-kit.ts'
import { handlesReleased } from '../handles-released.ts'
import type { WatchPlan } from './watch-plan.ts'

/** chokidar watches over the directories of a plan; reports every event on a name the plan cares about. */
export interface DirWatcher {
  /** Watches the directories of `plan` from now on. Resolves when new ones are watched; true if there were any. */
  update(plan: WatchPlan): Promise<boolean>
  /** Stops watching; resolves once the watch handles are released. */
  close(): Promise<void>
}

/**
 * Watches the plan's directories (depth 0) with chokidar, loaded here so that importing hotconf never loads it; a
 * missing chokidar is a `ConfigError` `MISSING_DEPENDENCY`, which fails the adapter's start.
 * One chokidar instance per directory, so that adding one can be awaited (its `ready`) and a save made right after
 * is seen. Wake-ups come from chokidar's `raw` events: its `change` events are throttled to one per 50 ms per path
 * (leading edge), which drops the write that follows a truncate, while every raw event is delivered.
 */
export async function watchDirs(
  plan: WatchPlan,
  handlers: { onEvent(): void; onError(error: unknown): void },
): Promise<DirWatcher> {
  const { watch } = await importOptional(() => import('chokidar'), 'watchFiles() (hotconf/file)', [
    'chokidar',
  ])
  let current = plan
  const watchers = new Map<string, FSWatcher>()

  const open = async (dir: string): Promise<void> => {
    const watcher = watch(dir, {
      depth: 0,
      ignoreInitial: true,
      // Only what a file reads gets a watch of its own; the directory's watch still sees every name.
      ignored: (path) => path !== dir && current.names.get(dir)?.has(basename(path)) !== true,
    })
    watchers.set(dir, watcher)
    watcher.on('raw', (_event, path, details) => {
      // chokidar 6 passes fs.watch's null filename through: an unnamed change may be ours, so it is checked.
      if (path === null || relevant(current, dir, path, details)) handlers.onEvent()
    })
    watcher.on('error', handlers.onError)
    await new Promise<void>((resolve) => watcher.once('ready', resolve))
  }
  const update = async (next: WatchPlan): Promise<boolean> => {
    current = next
    const closing = [...watchers].filter(([dir]) => !next.names.has(dir))
    for (const [dir] of closing) watchers.delete(dir)
    const added = [...next.names.keys()].filter((dir) => !watchers.has(dir))
    await Promise.all([...closing.map(([, w]) => w.close()), ...added.map(open)])
    return added.length > 0
  }

  await update(plan)
  return {
    update,
    async close() {
      const all = [...watchers.values()]
      watchers.clear()
      await Promise.all(all.map((w) => w.close()))
      await handlesReleased()
    },
  }
}

// --- internal ---

/**
 * Whether a raw event of the watch on `dir` concerns the plan. fs.watch events name the entry inside the watched
 * path (the directory, or a file chokidar watches on its own); polling events carry the full path; an event without
 * a name could be anything, so it counts.
 */
function relevant(plan: WatchPlan, dir: string, path: string, details: unknown): boolean {
  if (!path) return true
  const watched = (details as { watchedPath?: unknown } | undefined)?.watchedPath
  const full = typeof watched !== 'string' ? path : watched === dir ? join(dir, path) : watched
  if (full === dir) return true
  return plan.names.get(dirname(full))?.has(basename(full)) === true
}
