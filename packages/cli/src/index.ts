/**
 * @k2/cli — the `k2` command. Its commands are also callable from code.
 * @packageDocumentation
 */

export { type DemoOptions, type DemoReport, demo } from './demo.js'
export { COMMANDS, run } from './run.js'
