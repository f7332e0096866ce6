import { type ParseArgsConfig, parseArgs } from 'node:util'
import { usage } from './exit.ts'

/** Parsed flags: strings, booleans, and lists for the flags that repeat. */
export type FlagValues = Readonly<Partial<Record<string, string | boolean | string[]>>>

/** `util.parseArgs`, strict, with its errors as usage errors (exit 2). */
export function parseCommandArgs(
  args: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
): { values: FlagValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: true,
    })
    return { values: values as FlagValues, positionals }
  } catch (error) {
    throw usage((error as Error).message)
  }
}

/** The positionals a command takes, at least `min` and at most `max`. */
export function positionals(list: readonly string[], min: number, max: number, what: string): string[] {
  if (list.length < min) throw usage(`missing ${what}`)
  if (list.length > max) throw usage(`unexpected argument "${String(list[max]).slice(0, 60)}"`)
  return [...list]
}

/** A string flag's value, `undefined` when absent. */
export function stringFlag(values: FlagValues, name: string): string | undefined {
  const value = values[name]
  return typeof value === 'string' ? value : undefined
}
