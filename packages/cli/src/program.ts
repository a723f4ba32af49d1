import { Command } from 'commander'
import { demoCommand } from './commands/demo.js'
import { examples } from './commands/help.js'
import { importCommand } from './commands/import.js'
import { EXIT_CODES_HELP } from './exit-codes.js'
import type { CliIo } from './io.js'

export const VERSION = '0.1.0'

/**
 * The `k2` command tree (commander: the most used Node argument parser, with subcommands, typed
 * option parsers, generated --help and an in-process mode for tests). One file per command in
 * `commands/`; each returns its `Command`, writing only through `io`.
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command('k2')
    .description('K2: market-data feeds, an Iceberg lake, candles, checks and queries from the shell')
    .version(VERSION, '-V, --version', 'print the version')
    .helpCommand('help [command]', 'show help for a command')
    .showSuggestionAfterError(true)
    .addHelpText('after', `${examples(['k2 demo', 'k2 help query'])}\n\n${EXIT_CODES_HELP}`)
  program
    .command('version')
    .description('print the version')
    .action(() => io.out(VERSION))
  for (const command of [demoCommand(io), importCommand(io)]) program.addCommand(command)
  return program
}
