import { type ChildProcess, spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { rm } from 'node:fs/promises'

/** A server child process (etcd, PostgreSQL) that a test stops and starts again on the same data. */
export interface ChildServer {
  /** True between a successful start and `stop()`. */
  readonly running: boolean
  /** Stops the process (`stopSignal`, then SIGKILL) and keeps the data dir, so `start()` brings the same node back. */
  stop(): Promise<void>
  /** Starts it again and waits until it answers. */
  start(): Promise<void>
  /** Stops it and removes the data dir. */
  close(): Promise<void>
}

/** How to run one server. */
export interface ChildServerPlan {
  /** What the errors call it, e.g. `'etcd'`. */
  readonly name: string
  /** The temp dir holding its data; removed on close (and on process exit, if close was forgotten). */
  readonly dir: string
  readonly command: string
  readonly args: readonly string[]
  /** Polls until the server answers; resolves `false` at its own deadline. */
  ready(): Promise<boolean>
  /** @default 'SIGTERM' */
  readonly stopSignal?: NodeJS.Signals
  /** How long `stopSignal` gets before SIGKILL. @default 3000 */
  readonly stopTimeoutMs?: number
}

/** Starts the server and waits until it answers; throws with its own output when it does not come up. */
export async function startChildServer(plan: ChildServerPlan): Promise<ChildServer> {
  const { name, dir, stopSignal = 'SIGTERM', stopTimeoutMs = 3_000 } = plan
  let child: ChildProcess | undefined
  // A crash or a forgotten close() must not leave a server running: 'exit' runs even on an uncaught exception.
  const reap = () => {
    child?.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', reap)

  async function start(): Promise<void> {
    if (child) return
    const proc = spawn(plan.command, plan.args, { stdio: ['ignore', 'ignore', 'pipe'] })
    child = proc
    let output = ''
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      output = (output + chunk).slice(-4000)
    })
    const exited = new Promise<string>((resolve) => {
      proc.once('error', (err) => resolve(err.message))
      proc.once('exit', (code, signal) => resolve(`exited with ${signal ?? code}`))
    })
    proc.once('exit', () => {
      if (child === proc) child = undefined
    })
    const ready = await Promise.race([plan.ready(), exited.then(() => false)])
    if (!ready) {
      const why = await Promise.race([exited, Promise.resolve('did not answer in time')])
      await stop()
      throw new Error(`${name} ${why}:\n${output}`)
    }
  }

  async function stop(): Promise<void> {
    const proc = child
    if (!proc) return
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
    proc.kill(stopSignal)
    const timer = setTimeout(() => proc.kill('SIGKILL'), stopTimeoutMs)
    await gone
    clearTimeout(timer)
  }

  try {
    await start()
  } catch (error) {
    process.off('exit', reap)
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  return {
    get running() {
      return child !== undefined
    },
    start,
    stop,
    async close() {
      process.off('exit', reap)
      await stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** Polls `check` every 25 ms until it resolves true or `timeoutMs` passes; a throw counts as not yet. */
export async function poll(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return false
}
