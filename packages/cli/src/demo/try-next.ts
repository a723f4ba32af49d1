import { existsSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { DEFAULT_LAKE } from '../options.js'

/** A command the demo suggests, with what it shows. */
export interface Suggestion {
  argv: string[]
  shows: string
}

/** Says whether `k2 <argv>` would parse: the command exists and takes every `--option` given. */
export type CanRun = (argv: readonly string[]) => boolean

// Best first; the demo prints the first three this `k2` can run, so each shows up once its command
// exists (the syntax is docs/cli.md's). `chartPath` is where a chart may go: the lake's charts/.
const candidates = (chartPath: string): Suggestion[] => [
  {
    argv: ['query', 'gold.ohlcv', '--where', 'exchange=binance', '--where', 'symbol=BTC-USDT', '--where', 'timeframe=1h'],
    shows: "BTC's hourly candles from gold",
  },
  { argv: ['snapshots', 'silver.trades'], shows: 'its commits: pass an id to k2 query --as-of to time-travel' },
  {
    argv: ['chart', '--exchange', 'coinbase', '--symbol', 'ETH-USD', '--timeframe', '5m', '-o', chartPath],
    shows: "a chart of Coinbase's ETH, 5m candles",
  },
  { argv: ['demo'], shows: 'again: it appends the time since this run' },
  { argv: ['demo', '--help'], shows: "the demo's options" },
  { argv: ['help'], shows: 'every command' },
]

/**
 * The three commands to try next, as the user types them here: `node packages/cli/dist/bin.js …`
 * from the K2 repo (its workspace root has no `k2` on the PATH), `npx k2 …` elsewhere; with
 * `--lake DIR` when the demo's lake is not the default.
 */
export function tryNext(lake: string, cwd: string, canRun: CanRun): { lines: string[]; argv: string[][] } {
  const repoBin = join('packages', 'cli', 'dist', 'bin.js')
  const k2 = existsSync(join(cwd, repoBin)) ? `node ${repoBin}` : 'npx k2'
  const lakeArgs = resolve(cwd, lake) === resolve(cwd, DEFAULT_LAKE) ? [] : ['--lake', shownPath(lake, cwd)]
  const withLake = (argv: string[]) => (!argv.includes('--help') && canRun([...argv, ...lakeArgs]) ? [...argv, ...lakeArgs] : argv)
  const chart = shownPath(join(lake, 'charts', 'coinbase-ETH-USD-5m.svg'), cwd)
  const picked = candidates(chart)
    .map((c) => ({ ...c, argv: withLake(c.argv) }))
    .filter((c) => canRun(c.argv))
    .slice(0, 3)
  const typed = picked.map((c) => `${k2} ${c.argv.map(quote).join(' ')}`)
  const width = Math.max(0, ...typed.map((t) => t.length))
  return { lines: picked.map((c, i) => `  ${typed[i]?.padEnd(width)}   # ${c.shows}`), argv: picked.map((c) => c.argv) }
}

/** A path as the user would type it: relative to `cwd` when inside it (`./k2-lake`), else absolute. */
export function shownPath(path: string, cwd: string): string {
  const abs = resolve(cwd, path)
  const rel = relative(cwd, abs)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? `./${rel}` : abs
}

function quote(arg: string): string {
  return /^[\w./:=@,+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`
}
