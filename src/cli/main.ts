import { COMMANDS, commandHelp, generalHelp } from './commands.ts'
import { CliFailure, EXIT } from './exit.ts'
import { type CliIo, processIo } from './io.ts'

/**
 * Runs one `hotconf` command and resolves to its exit code. The online commands are thin HTTP clients, so this
 * module loads only the half a command needs: `hotconf get` never loads the store, zod, rxjs or xstate.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  // The title replaces the command line that `ps` shows, which may hold a --token.
  process.title = 'hotconf'
  const [name, ...args] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? args[0] : undefined
    const command = topic === undefined ? undefined : COMMANDS[topic]
    ;(name === undefined ? io.err : io.out)(command && topic ? commandHelp(topic, command) : generalHelp())
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (command === undefined) {
    io.err(`hotconf: unknown command "${name.slice(0, 40)}"; hotconf --help lists them`)
    return EXIT.usage
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(commandHelp(name, command))
    return EXIT.ok
  }
  try {
    const run =
      command.kind === 'online'
        ? (await import('./online/run-online.ts')).runOnline
        : (await import('./offline/run-offline.ts')).runOffline
    return await run(name, args, io)
  } catch (error) {
    if (!(error instanceof CliFailure)) throw error
    io.err(`hotconf ${name}: ${error.message}`)
    if (error.exitCode === EXIT.usage) io.err(`usage: ${command.usage}`)
    return error.exitCode
  }
}
