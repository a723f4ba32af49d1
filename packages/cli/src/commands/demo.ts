import { Command } from 'commander'
import { demo } from '../demo.js'
import { CommandExit, EXIT } from '../exit-codes.js'
import type { CliIo } from '../io.js'
import { lakeOption, positiveNumber } from '../options.js'
import { examples } from './help.js'

export function demoCommand(io: CliIo): Command {
  const command: Command = new Command('demo')
    .description('simulated exchanges → feeds → lake → gold candles, checks and a chart, end to end, offline')
    .option('--seconds <n>', 'how long the simulated exchanges trade (default 4)', positiveNumber)
    .addOption(lakeOption())
    .addHelpText(
      'after',
      `${examples(['k2 demo', 'k2 demo --seconds 10 --lake /tmp/lake'])}

The lake is kept (bronze, silver and gold tables, and charts/); running the demo again appends to
it, continuing the market where its trades end. Exits 0 only when every check passed.`,
    )
    .action(async (opts: { seconds?: number; lake: string }) => {
      const report = await demo({ ...opts, out: io.out, err: io.err, signal: io.signal, canRun: (argv) => canRun(command, argv) })
      if (!report.ok) throw new CommandExit(EXIT.FAILED)
    })
  return command
}

/** Whether the program `command` belongs to has the subcommand `argv[0]`, taking every `--option` in argv. */
function canRun(command: Command, argv: readonly string[]): boolean {
  const [name, ...rest] = argv
  if (name === 'help') return rest.length === 0
  const sub = command.parent?.commands.find((c) => c.name() === name || c.aliases().includes(name ?? ''))
  if (!sub) return false
  const known = new Set(sub.options.flatMap((o) => [o.long, o.short]).filter(Boolean))
  known.add('--help')
  return rest.filter((a) => a.startsWith('-')).every((a) => known.has(a.split('=')[0] as string))
}
