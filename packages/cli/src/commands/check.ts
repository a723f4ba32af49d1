import { writeFile } from 'node:fs/promises'
import { CHECK_NAMES, type CheckName, type CheckOptions, CheckReport, type CheckResult, check } from '@k2/analytics'
import { type Exchange, K2Error, MICROS_PER_DAY, toIso } from '@k2/core'
import type { Lake } from '@k2/store'
import { Command, InvalidArgumentError } from 'commander'
import { CommandExit, EXIT } from '../exit-codes.js'
import { checkReportLines, junitXml } from '../format/check-report.js'
import { toJson } from '../format/json.js'
import type { CliIo } from '../io.js'
import { exchangeArg, jsonOption, lakeOption, listArg, positiveInt, timeArg } from '../options.js'
import { examples } from './help.js'
import { withLake } from './open-lake.js'

interface CheckCommandOptions {
  lake: string
  exchange?: Exchange[]
  symbol?: string[]
  from?: number
  to?: number
  checks?: CheckName[]
  skip?: CheckName[]
  examples: number
  json?: boolean
  junit?: string
}

function checkNamesArg(text: string, previous: CheckName[] = []): CheckName[] {
  const names = listArg(text)
  for (const n of names) {
    if (!(CHECK_NAMES as readonly string[]).includes(n)) {
      throw new InvalidArgumentError(`unknown check "${n}": expected one of ${CHECK_NAMES.join(', ')}`)
    }
  }
  return [...previous, ...(names as CheckName[])]
}

const exchangesArg = (text: string, previous: Exchange[] = []) => [...previous, ...listArg(text).map(exchangeArg)]

export function checkCommand(io: CliIo): Command {
  return new Command('check')
    .description('check the invariants of candles, trades and coverage; exit 1 when one fails')
    .addOption(lakeOption())
    .option('--exchange <names>', 'only these exchanges (comma-separated, repeatable)', exchangesArg)
    .option('--symbol <symbols>', 'only these symbols, e.g. BTC-USDT (comma-separated, repeatable)', listArg)
    .option('--from <time>', 'only candles and trades at or after this time', timeArg)
    .option('--to <time>', 'only candles and trades before this time', timeArg)
    .option('--checks <names>', `run only these checks (${CHECK_NAMES.length} known: see docs/checks.md)`, checkNamesArg)
    .option('--skip <names>', 'leave these checks out', checkNamesArg)
    .option('--examples <n>', 'offending rows shown per failed check', positiveInt, 3)
    .addOption(jsonOption())
    .option('--junit <file>', 'also write a JUnit XML report (one testcase per check) for CI')
    .addHelpText(
      'after',
      `${examples([
        'k2 check',
        'k2 check --lake ./k2-lake --exchange binance --symbol BTC-USDT --from 2026-11-24 --to 2026-11-25',
        'k2 check --checks candle.ohlc-order,candle.rollup --json | jq .failures',
        'k2 check --junit k2-check.xml   # in CI: the job fails (exit 1) on a broken invariant',
      ])}

With --exchange, --symbol, --from or --to the selected trades (and the candles of the whole UTC
days around --from/--to) are read and checked in memory; coverage.day-complete does not run.

Exit codes: 0 every check passed, 1 a check failed, 2 bad usage, 3 no lake.`,
    )
    .action(async (opts: CheckCommandOptions) => {
      const started = performance.now()
      const timestamp = new Date().toISOString().slice(0, 19)
      const report = await withLake(opts.lake, (lake) => runChecks(lake, opts))
      const seconds = (performance.now() - started) / 1000
      if (opts.junit) {
        await writeFile(opts.junit, junitXml(report, { seconds, timestamp, lake: opts.lake }))
        io.err(`wrote JUnit report ${opts.junit} (${report.checks.length} testcases, ${report.failures.length} failed)`)
      }
      if (opts.json) io.out(toJson(report))
      else for (const line of checkReportLines(report, { examples: opts.examples })) io.out(line)
      if (!report.ok) throw new CommandExit(EXIT.FAILED)
    })
}

async function runChecks(lake: Lake, opts: CheckCommandOptions): Promise<CheckReport> {
  const options: CheckOptions = {
    examples: Math.max(opts.examples, 5),
    ...(opts.checks ? { checks: opts.checks } : {}),
    ...(opts.skip ? { skip: opts.skip } : {}),
  }
  const filtered = opts.exchange || opts.symbol || opts.from !== undefined || opts.to !== undefined
  if (!filtered) return check(lake, options)
  if (opts.from !== undefined && opts.to !== undefined && opts.to <= opts.from) {
    throw new K2Error('VALIDATION', `--to (${toIso(opts.to)}) must be after --from (${toIso(opts.from)})`)
  }
  // The selection is read through the query layer (bound values) and checked as rows in memory.
  const select = <T extends 'gold.ohlcv' | 'silver.trades'>(table: T, time: string) => {
    // biome-ignore lint/suspicious/noExplicitAny: one filter for two tables; the names are the tables' own columns
    let q: any = lake.query(table)
    if (opts.exchange) q = q.where({ exchange: opts.exchange })
    if (opts.symbol) q = q.where({ symbol: opts.symbol })
    // Candles are read in whole UTC days around the window, so every roll-up pair is complete.
    const day = table === 'gold.ohlcv' ? MICROS_PER_DAY : 1
    if (opts.from !== undefined) q = q.where(time, '>=', Math.floor(opts.from / day) * day)
    if (opts.to !== undefined) q = q.where(time, '<', Math.ceil(opts.to / day) * day)
    return q.orderBy(time).rows() as Promise<Record<string, unknown>[]>
  }
  const results: CheckResult[] = []
  const snapshots: Record<string, string | null> = {}
  for (const [table, time] of [
    ['gold.ohlcv', 'start'],
    ['silver.trades', 'ts'],
  ] as const) {
    if (!(await lake.hasTable(table))) continue
    snapshots[table] = (await (await lake.table(table)).currentSnapshotId())?.toString() ?? null
    const rows = await select(table, time)
    const skip = [...(options.skip ?? []), 'coverage.day-complete' as const]
    const part = await check(rows as unknown as Parameters<typeof check>[0], { ...options, skip })
    results.push(...part.checks.map((c) => ({ ...c, target: table })))
  }
  const order = new Map(CHECK_NAMES.map((n, i) => [n, i]))
  results.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0))
  return new CheckReport(results, snapshots)
}
