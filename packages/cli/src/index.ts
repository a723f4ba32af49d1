/**
 * @k2/cli — the `k2` command. Its commands are also callable from code.
 * @packageDocumentation
 */

export { type DemoOptions, type DemoReport, demo } from './demo.js'
export { EXIT, type ExitCode, exitCodeOf } from './exit-codes.js'
export type { CliIo } from './io.js'
export { COMMANDS, run, VERSION } from './run.js'
