import { Command } from 'commander'
import { demo } from '../demo.js'
import type { CliIo } from '../io.js'
import { positiveNumber } from '../options.js'
import { examples } from './help.js'

export function demoCommand(io: CliIo): Command {
  return new Command('demo')
    .description('simulated exchanges → feeds → lake → queries, end to end, offline')
    .option('--seconds <n>', 'how long the simulated exchanges trade', positiveNumber)
    .option('--lake <dir>', 'lake directory (default: a new temporary directory)')
    .addHelpText('after', examples(['k2 demo', 'k2 demo --seconds 10 --lake ./k2-lake']))
    .action(async (opts: { seconds?: number; lake?: string }) => {
      await demo({ ...opts, out: io.out })
    })
}
