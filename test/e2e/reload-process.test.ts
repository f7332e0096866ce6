import { type ChildProcess, spawn } from 'node:child_process'
import { rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { useTempDirs } from '../support/temp-dir.ts'

const tempDir = useTempDirs()
const children: ChildProcess[] = []
afterEach(async () => {
  await Promise.all(children.splice(0).map(stop))
})

const CHILD = fileURLToPath(new URL('./fixtures/reload-child.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../..', import.meta.url))

interface Line {
  readonly type: 'ready' | 'change' | 'rejected' | 'config'
  readonly revision: number
  readonly config: { pool: { min: number; max: number }; features: { newUi: boolean } }
  readonly changeSet?: {
    source: string
    reason?: string
    changes: { path: string; from: unknown; to: unknown }[]
  }
  readonly source?: string
  readonly errors?: { code: string; path: string; source?: string; line?: number; column?: number }[]
  readonly adapters?: { name: string; state: string }[]
}

/** Spawns the child service and collects its JSON lines. */
function spawnService(dir: string) {
  const child = spawn(process.execPath, ['--conditions=@hotconf/source', '--import', 'tsx', CHILD, dir], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  children.push(child)
  const lines: Line[] = []
  let stderr = ''
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(JSON.parse(line)))
  /** Waits for the first line after `from` that matches. */
  const next = async (match: (line: Line) => boolean, from: number, ms = 8_000): Promise<Line> => {
    const end = Date.now() + ms
    for (;;) {
      const found = lines.slice(from).find(match)
      if (found) return found
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the child exited (${child.exitCode ?? child.signalCode}): ${stderr}`)
      }
      if (Date.now() > end) throw new Error(`no matching line in ${ms} ms; got ${JSON.stringify(lines)}`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }
  const ask = async (): Promise<Line> => {
    const from = lines.length
    child.stdin?.write('config\n')
    return next((l) => l.type === 'config', from)
  }
  return { child, lines, next, ask }
}

describe('reload across processes', () => {
  it('reloads a child service on file saves and SIGHUP, and serves the last good config through a bad save', async () => {
    const dir = await tempDir()
    const file = join(dir, 'app.yaml')
    await writeFile(file, 'pool:\n  max: 10\n')
    await writeFile(join(dir, 'remote.json'), JSON.stringify({ features: { newUi: false } }))
    const { child, lines, next, ask } = spawnService(dir)
    await next((l) => l.type === 'ready', 0)

    // A save in place, then an atomic save: one ChangeSet each.
    let from = lines.length
    await writeFile(file, 'pool:\n  max: 20\n')
    const edited = await next((l) => l.type === 'change', from)
    expect(edited.changeSet).toMatchObject({
      source: 'file',
      reason: `changed: ${file}`,
      changes: [{ path: 'pool.max', from: 10, to: 20 }],
    })
    expect(edited.config.pool.max).toBe(20)
    from = lines.length
    await writeFile(join(dir, 'app.yaml.tmp'), 'pool:\n  max: 25\n')
    await rename(join(dir, 'app.yaml.tmp'), file)
    expect((await next((l) => l.type === 'change', from)).config.pool.max).toBe(25)

    // A layer with no file to watch changes: only SIGHUP brings it in.
    await writeFile(join(dir, 'remote.json'), JSON.stringify({ features: { newUi: true } }))
    from = lines.length
    process.kill(child.pid!, 'SIGHUP')
    const signalled = await next((l) => l.type === 'change', from)
    expect(signalled.changeSet).toMatchObject({
      source: 'signal',
      reason: 'received SIGHUP',
      changes: [{ path: 'features.newUi', from: false, to: true }],
    })

    // A save that does not parse: rejected with the place, the live config stays.
    from = lines.length
    await writeFile(file, 'pool:\n  max: [30\n')
    const rejected = await next((l) => l.type === 'rejected', from)
    expect(rejected).toMatchObject({ source: 'file', errors: [{ code: 'PARSE_ERROR', source: file }] })
    expect(rejected.errors?.[0]?.line).toBeGreaterThan(0)
    expect(rejected.config.pool.max).toBe(25)
    const during = await ask()
    expect(during).toMatchObject({ revision: signalled.revision, config: { pool: { max: 25 } } })
    expect(during.adapters).toEqual([
      { name: 'file', state: 'running' },
      { name: 'signal:SIGHUP', state: 'running' },
    ])

    // A SIGHUP while the file is broken is rejected too, and changes nothing.
    from = lines.length
    process.kill(child.pid!, 'SIGHUP')
    expect(await next((l) => l.type === 'rejected', from)).toMatchObject({
      source: 'signal',
      revision: signalled.revision,
      config: { pool: { max: 25 } },
    })

    // The next good save goes through.
    from = lines.length
    await writeFile(file, 'pool:\n  max: 30\n')
    expect((await next((l) => l.type === 'change', from)).changeSet?.changes).toEqual([
      { path: 'pool.max', from: 25, to: 30 },
    ])

    expect(child.exitCode).toBeNull()
    expect(child.signalCode).toBeNull()
    // Every line served a valid config: each one a value that was saved, never an empty or broken one.
    expect(new Set(lines.map((l) => l.config.pool.max))).toEqual(new Set([10, 20, 25, 30]))
    expect(lines.map((l) => l.type)).toEqual([
      'ready',
      'change',
      'change',
      'change',
      'rejected',
      'config',
      'rejected',
      'change',
    ])
  })
})

// --- internal ---

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
}
