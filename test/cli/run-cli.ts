import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))
const BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url))

export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface CliOptions {
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
  readonly input?: string
  /** Node flags before the entry, e.g. `--import` of a hook. */
  readonly node?: readonly string[]
}

/**
 * Runs the real `hotconf` as a child process, from source exactly as `npm start` runs the demo (the packed test runs
 * the built one). The child gets none of the caller's HOTCONF_* variables and no NODE_OPTIONS.
 */
export function hotconf(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const child = spawnCli(args, options)
  child.stdin.end(options.input ?? '')
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** The child process itself, for commands that run until stopped (`watch`). */
export function spawnCli(args: readonly string[], options: CliOptions = {}) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('HOTCONF_') && k !== 'NODE_OPTIONS' && k !== 'NO_COLOR',
    ),
  )
  return spawn(
    process.execPath,
    ['--conditions=@hotconf/source', '--import', 'tsx', ...(options.node ?? []), BIN, ...args],
    { cwd: options.cwd ?? FIXTURES, env: { ...env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] },
  )
}
