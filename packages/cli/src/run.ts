import { K2Error } from '@k2/core'
import { CommanderError } from 'commander'
import { CommandExit } from './exit-codes.js'
import { type CliIo, toIo } from './io.js'
import { buildProgram } from './program.js'

export { VERSION } from './program.js'

/** The commands `k2` knows, with a one-line description each. */
export const COMMANDS: Readonly<Record<string, string>> = Object.fromEntries(
  buildProgram(toIo()).commands.map((c) => [c.name(), c.description()]),
)

/**
 * Runs one `k2` command in-process and resolves to its exit code (see `EXIT`). Bad usage (an
 * unknown command or option, a malformed value) rejects with `K2Error('VALIDATION')` whose message
 * says what fits; other failures reject with the command's own `K2Error`.
 */
export async function run(argv: readonly string[], io: Partial<CliIo> | ((line: string) => void) = {}): Promise<number> {
  const cli = toIo(io)
  const program = buildProgram(cli)
  for (const cmd of [program, ...program.commands]) {
    cmd.exitOverride().configureOutput({
      writeOut: (s) => cli.out(s.trimEnd()),
      writeErr: (s) => cli.err(s.trimEnd()),
      outputError: () => {}, // reported once, by the caller, from the K2Error below
    })
  }
  if (argv.length === 0) {
    cli.out(program.helpInformation().trimEnd())
    return 0
  }
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (e) {
    if (e instanceof CommandExit) return e.code // the command printed its own explanation (a failed check)
    if (!(e instanceof CommanderError)) throw e
    if (e.exitCode === 0) return 0 // --help, --version
    const message = e.message.replace(/^error: /, '')
    throw new K2Error('VALIDATION', `${message} (run "k2 help" or "k2 <command> --help")`, { details: { code: e.code } })
  }
}
