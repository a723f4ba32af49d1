import { Command } from 'commander'
import { chartCommand } from './commands/chart.js'
import { checkCommand } from './commands/check.js'
import { compactCommand } from './commands/compact.js'
import { demoCommand } from './commands/demo.js'
import { expireCommand } from './commands/expire.js'
import { examples } from './commands/help.js'
import { importCommand } from './commands/import.js'
import { ingestCommand } from './commands/ingest.js'
import { queryCommand } from './commands/query.js'
import { relocateCommand } from './commands/relocate.js'
import { rollupCommand } from './commands/rollup.js'
import { snapshotsCommand } from './commands/snapshots.js'
import { vacuumCommand } from './commands/vacuum.js'
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
  for (const command of [
    demoCommand(io),
    ingestCommand(io),
    importCommand(io),
    queryCommand(io),
    checkCommand(io),
    rollupCommand(io),
    snapshotsCommand(io),
    expireCommand(io),
    compactCommand(io),
    vacuumCommand(io),
    relocateCommand(io),
    chartCommand(io),
  ])
    program.addCommand(command)
  return program
}
