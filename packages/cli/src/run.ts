import { K2Error } from '@k2/core'
import { demo } from './demo.js'

export const VERSION = '0.1.0'

/** The commands `k2` knows, with a one-line description each. */
export const COMMANDS: Readonly<Record<string, string>> = {
  help: 'show this help',
  version: 'print the version',
  demo: 'simulated exchanges → feeds → lake → queries, end to end [--seconds N] [--lake DIR]',
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
    case 'demo': {
      const seconds = optionValue(argv, '--seconds')
      const lake = optionValue(argv, '--lake')
      await demo({
        ...(seconds === undefined ? {} : { seconds: positiveNumber(seconds, '--seconds') }),
        ...(lake === undefined ? {} : { lake }),
        out,
      })
      return 0
    }
    default:
      throw new K2Error('VALIDATION', `unknown command "${command}": run "k2 help" for the list (${Object.keys(COMMANDS).join(', ')})`)
  }
}

function optionValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name)
  if (i < 0) return undefined
  const value = argv[i + 1]
  if (value === undefined || value.startsWith('--')) throw new K2Error('VALIDATION', `${name} needs a value, e.g. ${name} 5`)
  return value
}

function positiveNumber(text: string, name: string): number {
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0) throw new K2Error('VALIDATION', `${name} must be a positive number, got "${text}"`)
  return n
}
