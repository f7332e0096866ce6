/** The exit codes of every `hotconf` command. */
export const EXIT = {
  ok: 0,
  /** Rejected, invalid or rolled back: the request was understood and refused. */
  failed: 1,
  usage: 2,
  /** Cannot connect, or not authorised. */
  unreachable: 3,
  /** `If-Match` named a stale revision (412). */
  conflict: 4,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** Ends a command with a message for stderr and an exit code; `main` prints it. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure'
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message)
  }
}

/** A usage error: bad flags, a missing argument (exit 2). */
export function usage(message: string): CliFailure {
  return new CliFailure(EXIT.usage, message)
}
