/** Where a command writes, and whether it may colour what it writes. */
export interface CliIo {
  out(text: string): void
  err(text: string): void
  readonly color: boolean
  readonly env: Readonly<Record<string, string | undefined>>
  /** Reads standard input to the end (for `-f -`). */
  stdin(): Promise<string>
}

/** The process's own streams; colour only on a terminal and never with `NO_COLOR` set. */
export function processIo(): CliIo {
  const env = process.env
  return {
    out: (text) => void process.stdout.write(`${text}\n`),
    err: (text) => void process.stderr.write(`${text}\n`),
    color: process.stdout.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb',
    env,
    async stdin() {
      const chunks: Buffer[] = []
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
      return Buffer.concat(chunks).toString('utf8')
    },
  }
}

/** ANSI colour for a terminal, nothing otherwise. */
export function paint(io: CliIo, colour: 'red' | 'green' | 'dim' | 'bold', text: string): string {
  return io.color ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text
}

// --- internal ---

const CODES = { red: 31, green: 32, dim: 2, bold: 1 } as const
