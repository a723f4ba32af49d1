import { K2Error } from '@k2/core'

export const VERSION = '0.1.0'

/** The commands `k2` knows, with a one-line description each. */
export const COMMANDS: Readonly<Record<string, string>> = {
  help: 'show this help',
  version: 'print the version',
  demo: 'simulated exchange → feed → lake → query, end to end',
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, text]) => `  ${name.padEnd(10)} ${text}`)
  return ['usage: k2 <command> [options]', '', 'commands:', ...lines].join('\n')
}

/**
 * Runs one `k2` command and returns its exit code; output goes to `out`. Unknown commands are a
 * `K2Error('VALIDATION')` that names the command and lists the known ones.
 */
export async function run(argv: readonly string[], out: (line: string) => void = console.log): Promise<number> {
  const [command = 'help'] = argv
  switch (command) {
    case 'help':
    case '--help':
    case '-h':
      out(usage())
      return 0
    case 'version':
    case '--version':
      out(VERSION)
      return 0
    case 'demo':
      throw new K2Error('UNSUPPORTED', 'the demo is not built yet: it needs @k2/feeds and @k2/store, which are in progress')
    default:
      throw new K2Error('VALIDATION', `unknown command "${command}": run "k2 help" for the list (${Object.keys(COMMANDS).join(', ')})`)
  }
}
