import type { Row } from './table.ts'

/** What a measure gets from the runner. */
export interface MeasureContext {
  /** `--quick`: a smoke run with few iterations (CI), not a result to quote. */
  readonly quick: boolean
  /** Measured rounds per figure (≥ 5 unless quick). */
  readonly rounds: number
  /** Progress lines go to stderr; stdout is reserved for the table. */
  readonly log: (message: string) => void
}

/** A measure's rows for the table and every raw number behind them (for results/latest.json). */
export interface MeasureOutput {
  readonly rows: Row[]
  readonly raw: Record<string, unknown>
}

/** One measure of issue 8, run in a fresh process by `bench/run.ts`. */
export type MeasureRun = (ctx: MeasureContext) => Promise<MeasureOutput>

/** Thrown when a part of hotconf a measure depends on has not landed: the measure's cell says n/a and why. */
export class Unavailable extends Error {}

/**
 * Imports a part of hotconf a measure depends on, or throws `Unavailable` saying which part is missing. Parts land
 * while the benchmarks are written, so a measure names its dependency instead of failing the whole run.
 */
export async function need<T>(
  load: () => Promise<T>,
  what: string,
  exports: readonly (keyof T)[],
): Promise<T> {
  let module: T
  try {
    module = await load()
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
      throw new Unavailable(`${what} is not there yet`)
    }
    throw error
  }
  const missing = exports.filter((name) => typeof module[name] !== 'function')
  if (missing.length > 0) throw new Unavailable(`${what} does not export ${missing.join(', ')} yet`)
  return module
}

/** A logger for stores under measurement: a benchmark must not time console output. */
export const quietLogger = { debug() {}, info() {}, warn() {}, error() {} }
