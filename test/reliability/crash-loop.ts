import { type ChildProcess, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createConfigStore } from '../../src/index.ts'
import { crashSchema, payload } from './fixtures/crash-schema.ts'

const CHILD = new URL('./fixtures/persist-child.ts', import.meta.url).pathname
const quiet = { debug() {}, info() {}, warn() {}, error() {} }

/** What one kill left behind. */
export interface KillOutcome {
  /** The last `seq` the child reported as committed (or found on disk at start, when it reported none). */
  readonly reported: number
  /** The `seq` in the overrides file after the kill. */
  readonly onDisk: number
  /** How many commits the child reported before it died. */
  readonly commits: number
}

/** Children still running, so a failing test can kill them in `afterEach`. */
export const running = new Set<ChildProcess>()

/**
 * Starts the persisting child `kills` times on one directory and SIGKILLs each at a random moment while it commits.
 * After each kill it checks the overrides file (whole, not torn, the last reported `seq` or the next one) and that a
 * new store starts on it with that value; any violation throws with the details.
 */
export async function crashLoop(dir: string, kills: number): Promise<KillOutcome[]> {
  const file = join(dir, 'overrides.json')
  const outcomes: KillOutcome[] = []
  for (let i = 0; i < kills; i++) {
    const { reported, revision, commits } = await runAndKill(file)
    const doc = JSON.parse(await readFile(file, 'utf8')) as {
      revision: number
      overrides: { seq: number; body: string }
    }
    const { seq, body } = doc.overrides
    const where = `kill ${i + 1}: reported seq ${reported} (revision ${revision}), file holds seq ${seq} (revision ${doc.revision})`
    if (seq !== reported && seq !== reported + 1)
      throw new Error(`${where}: neither the last commit nor the next`)
    if (body !== payload(seq)) throw new Error(`${where}: the body belongs to another seq`)
    if (revision !== undefined && doc.revision !== revision + (seq - reported)) {
      throw new Error(`${where}: the revision does not go with the seq`)
    }
    const store = await createConfigStore({ schema: crashSchema, overrides: { file }, logger: quiet })
    const live = store.current.seq
    await store.close()
    if (live !== seq) throw new Error(`${where}: a new store started on seq ${live}`)
    outcomes.push({ reported, onDisk: seq, commits })
  }
  return outcomes
}

// --- internal ---

/** One child: waits for its first commit, lets it run 0-25 ms more, kills it, and returns what it reported. */
async function runAndKill(file: string): Promise<{ reported: number; revision?: number; commits: number }> {
  const child = spawn(process.execPath, ['--conditions=@hotconf/source', '--import', 'tsx', CHILD, file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000)
  })
  // 'close' comes after the exit and after stdout ended, so every line the child wrote has been read by then.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  let reported = -1
  let revision: number | undefined
  let commits = 0
  let firstCommit: () => void = () => {}
  const committed = new Promise<void>((resolve) => {
    firstCommit = resolve
  })
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [a = '', b = ''] = line.split(' ')
    if (a === 'ready') {
      reported = Number(b)
      return
    }
    reported = Number(a)
    revision = Number(b)
    commits++
    firstCommit()
  })
  await Promise.race([committed, exited])
  if (commits === 0) throw new Error(`the child died before its first commit:\n${stderr}`)
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 25))
  child.kill('SIGKILL')
  await exited
  running.delete(child)
  return { reported, commits, ...(revision === undefined ? {} : { revision }) }
}
