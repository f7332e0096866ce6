import { isAbsolute, relative, sep } from 'node:path'
import { messageOf } from '../../adapter-kit.ts'
import { ConfigError, issue } from '../../errors.ts'
import type { Adapter, AdapterContext, AdapterHandle, ConfigStore } from '../../types.ts'
import { checkLoop } from './check-loop.ts'
import { type DirWatcher, watchDirs } from './dir-watcher.ts'
import { type FileState, readState } from './read-state.ts'
import { followStore, ownWriteHash } from './store-activity.ts'
import { planWatch, samePlan } from './watch-plan.ts'

/** Options of `watchFiles`. */
export interface WatchFilesOptions {
  /** Quiet time after the last file event before the files are read and the store reloads. @default 100 */
  readonly debounceMs?: number
  /**
   * How long a watched file may stay missing or empty before the reload reports it. Saves pass through both
   * states (a truncate before the write, a rename away before the new file lands); this waits them out.
   * @default 200
   */
  readonly settleMs?: number
  /** The adapter's name in `status().adapters`. @default 'file' */
  readonly name?: string
}

/**
 * Reloads the store when one of its files changes: every file of `store.sources()`, the overrides file included
 * (for hand edits; the store's own writes to it are recognised and skipped). Each reload is one transaction with
 * `source: 'file'` and `reason: 'changed: <paths>'`.
 *
 * Directories are watched, not inodes, so atomic saves (temp file + rename), delete and re-create, and a Kubernetes
 * ConfigMap's `..data` symlink swap are all seen. Events are debounced; then every file is read between two stats
 * and hashed: a burst of writes is one reload, a save of identical content is no transaction at all, a file caught
 * mid-write is read again, and a missing or empty file is given `settleMs` to come back.
 *
 * The reload is handed the bytes read (`ReloadMeta.contents`), so a save is read once, and a file that did not change
 * keeps its layer without being read again.
 *
 * Hashes are compared with what the live config reflects. A file that does not parse or validate is a `rejected`
 * transaction (with file, line and column, through the store's events, history and logger) and the live config
 * stays; every later save is tried again, and one that restores the live content is no transaction. The same goes
 * for a required file deleted for good (`SOURCE_MISSING`): the watch goes on, and the file is reloaded when it is
 * back. A rejected reload is the file's problem, not the watcher's: the adapter stays `running`. It reports
 * `failed` only when watching itself fails, and `running` again after its next successful look at the files.
 *
 * When the set of files changes (a source lists other files after a reload), the new ones are watched and reloaded
 * once, since what the store read of them is unknown.
 *
 * chokidar (an optional peer dependency) is loaded when the adapter starts. The watch keeps the process alive
 * until the store closes.
 *
 * @example
 * const store = await createConfigStore({
 *   schema,
 *   sources: [fileSource('config/default.yaml')],
 *   adapters: [watchFiles({ debounceMs: 50 })],
 * })
 */
export function watchFiles<TConfig = unknown>(options: WatchFilesOptions = {}): Adapter<TConfig> {
  const { debounceMs = 100, settleMs = 200, name = 'file' } = options
  checkMs('debounceMs', debounceMs)
  checkMs('settleMs', settleMs)
  return {
    name,
    start: (ctx) => startWatching(ctx, debounceMs, settleMs),
  }
}

// --- internal ---

const SOURCE = 'file'
/** The baseline of a file whose content the live config may or may not reflect. */
const UNKNOWN = '?'
/** How long a check waits for the store's transactions to settle before it reads the files anyway. */
const BUSY_WAIT_MS = 1_000
/** The least time between two reads of a file that is still being written. */
const UNSTABLE_RETRY_MS = 5

async function startWatching(
  ctx: AdapterContext<unknown>,
  debounceMs: number,
  settleMs: number,
): Promise<AdapterHandle> {
  const { store, logger } = ctx
  let plan = await planWatch(filesOf(store))
  // What the live config reflects, per file: a file whose hash is still this one needs no reload.
  const baseline = new Map<string, string | undefined>()
  for (const [i, state] of (await readAll(plan.files)).entries()) baseline.set(plan.files[i]!, state.hash)
  const voidSince = new Map<string, { hash: string | undefined; at: number }>()
  let foreignCommit: number | undefined
  let failed = false
  let watcher: DirWatcher | undefined

  const replan = async (): Promise<void> => {
    const next = await planWatch(filesOf(store))
    if (samePlan(plan, next)) return
    // What the store read of a file new to the sources is unknown (it may have changed since): let a reload tell.
    const added = next.files.filter((f) => !baseline.has(f))
    for (const file of added) baseline.set(file, UNKNOWN)
    for (const file of baseline.keys()) if (!next.files.includes(file)) baseline.delete(file)
    plan = next
    // Also, a save made while a new directory was not watched yet would go unseen: look once more.
    if ((await watcher?.update(next)) || added.length > 0) loop.retryIn(0)
  }

  /** The store committed a change it may have persisted: adopt its own write of the overrides file. */
  const adoptOwnWrites = async (revision: number): Promise<void> => {
    for (const file of plan.files) {
      const hash = await ownWriteHash(store, file, revision)
      if (hash !== undefined) baseline.set(file, hash)
    }
    await replan()
  }

  /** Milliseconds to wait still for missing or empty files among `changed` (0: report them now). */
  const settleWait = (changed: readonly string[], states: ReadonlyMap<string, FileState>): number => {
    const now = performance.now()
    let wait = 0
    for (const file of changed) {
      const state = states.get(file)!
      if (!state.void) continue
      const seen = voidSince.get(file)
      const since = seen && seen.hash === state.hash ? seen : { hash: state.hash, at: now }
      voidSince.set(file, since)
      wait = Math.max(wait, since.at + settleMs - now)
    }
    for (const file of voidSince.keys()) if (!states.get(file)?.void) voidSince.delete(file)
    return wait
  }

  const check = async (due: boolean): Promise<void> => {
    // The store's own writes land inside its transactions: let them settle, then recognise them.
    const quiet = due && (await activity.idle(BUSY_WAIT_MS))
    if (ctx.signal.aborted) return
    if (foreignCommit !== undefined) {
      const revision = foreignCommit
      foreignCommit = undefined
      await adoptOwnWrites(revision)
    }
    if (!due) return
    const files = plan.files
    const read = await readAll(files)
    // A transaction came and went while we read: look again, unless the store has been busy for too long.
    if (quiet && (activity.busy || foreignCommit !== undefined)) return loop.retryIn(0)
    if (read.some((s) => !s.stable)) return loop.retryIn(Math.max(debounceMs, UNSTABLE_RETRY_MS))
    const states = new Map(files.map((file, i) => [file, read[i]!]))
    const changed = files.filter((file) => states.get(file)!.hash !== baseline.get(file))
    if (changed.length === 0) {
      voidSince.clear()
      logger.debug('no content changed')
      recover()
      return await replan()
    }
    const wait = settleWait(changed, states)
    if (wait > 0) {
      logger.debug(`waiting up to ${Math.ceil(wait)} ms for a missing or empty file to come back`)
      return loop.retryIn(wait)
    }
    const reason = `changed: ${changed.map(display).join(', ')}`
    logger.debug(reason)
    // What was just read is what the reload reads: no file is read twice, an unchanged one keeps its layer.
    const contents = files.flatMap((file) => {
      const { bytes } = states.get(file)!
      return bytes ? [{ file, bytes }] : []
    })
    const result = await ctx.reload({ source: SOURCE, reason, contents })
    // After a rejection the live config still reflects the old content: keep comparing against it.
    if (result.status === 'committed' || result.status === 'unchanged') {
      for (const [file, state] of states) baseline.set(file, state.hash)
    }
    recover()
    await replan()
  }

  const onError = (error: unknown): void => {
    failed = true
    logger.error(`file watching failed: ${messageOf(error)}`)
    ctx.setState('failed', error)
  }
  const recover = (): void => {
    if (!failed) return
    failed = false
    ctx.setState('running')
  }

  const loop = checkLoop(debounceMs, check, onError)
  const activity = followStore(store, SOURCE, (revision) => {
    foreignCommit = revision
    loop.kick()
  })
  try {
    watcher = await watchDirs(plan, { onEvent: loop.debounce, onError })
  } catch (error) {
    activity.dispose()
    await loop.close()
    throw error
  }
  const opened = watcher
  // Anything saved while the watch was being set up.
  loop.retryIn(0)
  return {
    async dispose() {
      activity.dispose()
      await loop.close()
      await opened.close()
    },
  }
}

function filesOf(store: ConfigStore<unknown>): string[] {
  return [...new Set(store.sources().flatMap((s) => s.files))]
}

function readAll(files: readonly string[]): Promise<FileState[]> {
  return Promise.all(files.map(readState))
}

function display(file: string): string {
  const rel = relative(process.cwd(), file)
  return rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? file : rel
}

function checkMs(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigError(
      issue('BAD_OPTIONS', name, `watchFiles: ${name} must be a number of milliseconds >= 0, got ${value}`),
    )
  }
}
