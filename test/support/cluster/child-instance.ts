import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { FleetOptions } from '../../../src/adapters/fleet/fleet-options.ts'
import type { UpdateResult } from '../../../src/types.ts'
import type { ClusterBackend, ClusterConfig } from './cluster-instance.ts'

const script = fileURLToPath(new URL('./cluster-child.ts', import.meta.url))

type Line =
  | { type: 'ready'; config: ClusterConfig; adapters: { state: string }[] }
  | { type: 'change'; revision: number; config: ClusterConfig }
  | { type: 'adapter'; state: string }
  | { type: 'result'; id: number; result: UpdateResult }

/** A cluster instance in a child process (`node --conditions=@hotconf/source --import tsx`), seen through its JSON lines. */
export class ChildInstance {
  config: ClusterConfig | undefined
  adapterState = 'starting'
  readonly #proc: ChildProcess
  readonly #waiters = new Set<{
    match: (line: Line) => boolean
    resolve: (line: Line) => void
    reject: (error: Error) => void
  }>()
  #nextId = 1
  #stderr = ''

  constructor(backend: ClusterBackend, endpoint: string, name: string, fleet: FleetOptions = {}) {
    this.#proc = spawn(
      process.execPath,
      [
        '--conditions=@hotconf/source',
        '--import',
        'tsx',
        script,
        backend,
        endpoint,
        name,
        JSON.stringify(fleet),
      ],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    )
    this.#proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr += chunk
    })
    this.#proc.once('exit', (code) => {
      for (const waiter of this.#waiters) waiter.reject(new Error(`child exited (${code}):\n${this.#stderr}`))
      this.#waiters.clear()
    })
    createInterface({ input: this.#proc.stdout! }).on('line', (text) => {
      const line = JSON.parse(text) as Line
      if (line.type === 'ready' || line.type === 'change') this.config = line.config
      if (line.type === 'ready') this.adapterState = line.adapters[0]?.state ?? 'missing'
      if (line.type === 'adapter') this.adapterState = line.state
      for (const waiter of this.#waiters) {
        if (!waiter.match(line)) continue
        this.#waiters.delete(waiter)
        waiter.resolve(line)
      }
    })
  }

  /** Resolves with the first line from now on that matches; rejects if the process exits first. */
  next<T extends Line>(match: (line: Line) => line is T): Promise<T>
  next(match: (line: Line) => boolean): Promise<Line>
  next(match: (line: Line) => boolean): Promise<Line> {
    if (this.#proc.exitCode !== null) return Promise.reject(new Error(`child exited:\n${this.#stderr}`))
    return new Promise((resolve, reject) => {
      this.#waiters.add({ match, resolve, reject })
    })
  }

  async ready(): Promise<void> {
    if (this.config === undefined) await this.next((l) => l.type === 'ready')
  }

  async request(
    command: { cmd: 'set'; path: 'pool.max'; value: number } | { cmd: 'increment' },
  ): Promise<UpdateResult> {
    const id = this.#nextId++
    const reply = this.next((l): l is Extract<Line, { type: 'result' }> => l.type === 'result' && l.id === id)
    this.#proc.stdin!.write(`${JSON.stringify({ id, ...command })}\n`)
    return (await reply).result
  }

  /** Kills the process at once: it closes nothing, says goodbye to no one (a crash, a lost host). */
  async kill(): Promise<void> {
    if (this.#proc.exitCode !== null || this.#proc.signalCode !== null) return
    const exited = new Promise<void>((resolve) => this.#proc.once('exit', () => resolve()))
    this.#proc.kill('SIGKILL')
    await exited
  }

  /** Ends stdin so the child closes its store and exits; kills it if it does not within the timeout. */
  async close(timeoutMs = 3000): Promise<void> {
    if (this.#proc.exitCode !== null || this.#proc.signalCode !== null) return
    const exited = new Promise<void>((resolve) => this.#proc.once('exit', () => resolve()))
    this.#proc.stdin!.end()
    const timer = setTimeout(() => this.#proc.kill('SIGKILL'), timeoutMs)
    await exited
    clearTimeout(timer)
  }
}
