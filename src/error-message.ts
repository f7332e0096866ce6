/** The text of anything thrown, for issues, warnings and logs: an `Error`'s message, else the value as a string. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
