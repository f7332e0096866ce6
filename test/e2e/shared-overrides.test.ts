import { type ChildProcess, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeTagged } from '../../src/persist/tagged-json.ts'
import { until } from '../support/json-layer.ts'
import { useTempDirs } from '../support/temp-dir.ts'

const tempDir = useTempDirs()
const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

const CHILD = fileURLToPath(new URL('./fixtures/shared-writer.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../..', import.meta.url))

type Line =
  | { type: 'ready' }
  | { type: 'done'; committed: string[]; stale: number }
  | { type: 'config'; config: unknown }

/** Starts one writer process and collects its JSON lines. */
function spawnWriter(file: string, id: number) {
  const child = spawn(
    process.execPath,
    ['--conditions=@hotconf/source', '--import', 'tsx', CHILD, file, String(id)],
    {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  )
  children.push(child)
  const lines: Line[] = []
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(JSON.parse(line) as Line))
  return {
    lines,
    stderr: () => stderr,
    send: (command: string) => child.stdin.write(`${command}\n`),
    last: <T extends Line['type']>(type: T) =>
      lines.filter((l): l is Extract<Line, { type: T }> => l.type === type).at(-1),
  }
}

/** N writers, each making M concurrent writes into `scope`; returns every path committed and the writers. */
async function run(file: string, writers: number, writes: number, scope: (id: number) => string) {
  const all = Array.from({ length: writers }, (_, id) => spawnWriter(file, id))
  await until(() => all.every((w) => w.last('ready')), 30_000)
  for (const [id, w] of all.entries()) w.send(`go ${scope(id)} ${writes}`)
  await until(() => {
    const dead = all.find((w) => w.stderr().includes('Error'))
    if (dead) throw new Error(dead.stderr())
    return all.every((w) => w.last('done'))
  }, 60_000)
  return { all, committed: all.flatMap((w) => w.last('done')!.committed) }
}

async function onDisk(
  file: string,
): Promise<{ own?: Record<string, Record<string, number>>; shared?: Record<string, number> }> {
  return decodeTagged(JSON.parse(await readFile(file, 'utf8')).overrides) as never
}

/** Every writer's live config comes to equal the file's overrides (the schema has no other layer). */
async function converge(file: string, all: ReturnType<typeof spawnWriter>[]): Promise<void> {
  const expected = JSON.stringify(normal(await onDisk(file)))
  const same = () => all.every((w) => JSON.stringify(normal(w.last('config')?.config)) === expected)
  for (const end = Date.now() + 15_000; !same(); ) {
    if (Date.now() > end)
      throw new Error(`not converged on ${expected}: ${JSON.stringify(all.map((w) => w.last('config')))}`)
    for (const w of all) w.send('dump')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function normal(config: unknown): unknown {
  const c = (config ?? {}) as { own?: Record<string, unknown>; shared?: Record<string, unknown> }
  const sort = (o: Record<string, unknown> = {}) =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)))
  return {
    own: sort(Object.fromEntries(Object.entries(c.own ?? {}).map(([k, v]) => [k, sort(v as never)]))),
    shared: sort(c.shared),
  }
}

describe('processes sharing one overrides file (issue 15)', () => {
  it('loses no committed write and converges when writers change different objects', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const { all, committed } = await run(file, 4, 8, (id) => `own.w${id}`)
    const disk = await onDisk(file)
    for (const path of committed) {
      const [, object, key] = path.split('.')
      expect(disk.own?.[object!]?.[key!], path).toBe(Number(key!.split('_')[1]))
    }
    expect(committed).toHaveLength(32)
    // Different objects never conflict.
    expect(all.map((w) => w.last('done')!.stale)).toEqual([0, 0, 0, 0])
    await converge(file, all)
  }, 120_000)

  it('refuses with STALE_REVISION, loses no committed write and converges when writers change one object', async () => {
    const file = join(await tempDir(), 'overrides.json')
    const { all, committed } = await run(file, 4, 8, () => 'shared')
    const disk = await onDisk(file)
    for (const path of committed) {
      const key = path.split('.')[1]!
      expect(disk.shared?.[key], path).toBe(Number(key.split('_')[1]))
    }
    expect(Object.keys(disk.shared ?? {})).toHaveLength(32)
    await converge(file, all)
  }, 120_000)
})
