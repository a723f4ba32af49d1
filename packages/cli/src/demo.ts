import { resolve } from 'node:path'
import { type CheckOptions, type CheckReport, check, rollup } from '@k2/analytics'
import { K2Error, type TableName } from '@k2/core'
import type { FeedStats } from '@k2/feeds'
import { type Lake, openLake, type PipeStats, type SnapshotInfo } from '@k2/store'
import { DEMO_TIMEFRAMES, lastCandles, missingLastCandles, reconcileBtc, renderChart } from './demo/gold.js'
import { DEMO_TABLES, snapshots, storedIdsFrom, tradesEnd } from './demo/lake-state.js'
import { DemoMarket, marketSpan, marketStart } from './demo/market.js'
import { type Session, TRADES_PER_TICK, ticksOf, trade } from './demo/session.js'
import { clock, count, mark, table } from './demo/text.js'
import { timeTravel } from './demo/time-travel.js'
import { type CanRun, shownPath, tryNext } from './demo/try-next.js'
import { FAULTS, PAIRS_PER_VENUE } from './demo/venues.js'
import { DEFAULT_LAKE } from './options.js'

export interface DemoOptions {
  /** How long the simulated exchanges trade, in wall-clock seconds (default 4). */
  seconds?: number
  /** Lake directory (default ./k2-lake); a lake that exists is appended to. */
  lake?: string
  /** The directory relative paths are taken from and shown against (default the process's). */
  cwd?: string
  /** Result lines (default console.log) and progress lines (default: dropped). */
  out?: (line: string) => void
  err?: (line: string) => void
  /** Stops the exchanges early; what the feeds delivered is still committed and checked. */
  signal?: AbortSignal
  /** Whether `k2 <argv>` runs, for the suggestions at the end (default: only demo and help). */
  canRun?: CanRun
}

/** One check the demo makes, and what it found. */
export interface DemoCheck {
  name: string
  ok: boolean
  detail: string
}

export interface DemoReport {
  /** True when every check passed (the command's exit code is 0 only then). */
  ok: boolean
  /** The lake, as an absolute path. */
  lake: string
  /** Trades the simulated exchanges printed in this run (their ground truth). */
  printed: number
  /** Of those, the trades in silver.trades (each exactly once when `printed === stored`). */
  stored: number
  /** Trades in the whole lake, and distinct (exchange, symbol, id) among them. */
  lakeTrades: number
  distinct: number
  /** The feeds' counters, per exchange. */
  feeds: FeedStats[]
  pipe: PipeStats
  gapsHealed: number
  deadLetters: number
  reconnects: number
  /** Market time this run covered, epoch µs. */
  market: { from: number; to: number }
  /** Snapshots each table gained in this run. */
  snapshotsWritten: Partial<Record<TableName, number>>
  checks: DemoCheck[]
  invariants: CheckReport
  chart: string
  /** The argv of the commands suggested at the end. */
  tryNext: string[][]
}

const PAIR = { exchange: 'binance', symbol: 'BTC-USDT' } as const

// The invariant checks as the demo runs them, and why two differ from `k2 check`'s defaults.
const INVARIANTS: CheckOptions = { skip: ['coverage.day-complete'], tsOrder: { toleranceUs: 1_000_000 } }
const INVARIANTS_NOTE =
  "coverage.day-complete left out: the feeds listened for seconds of today, not all day; trade.ts-order allows 1 s: Bitstamp's REST history, which heals its reconnects, stamps whole seconds"

/** Wall time per phase of the run, for the last line of the checks. */
function phases() {
  const started = performance.now()
  let last = started
  const laps: string[] = []
  return {
    lap(name: string) {
      const now = performance.now()
      laps.push(`${name} ${((now - last) / 1000).toFixed(1)} s`)
      last = now
    },
    summary: () => `done in ${((performance.now() - started) / 1000).toFixed(1)} s (${laps.join(', ')})`,
  }
}
const defaultCanRun: CanRun = (argv) =>
  ['demo', 'help'].includes(argv[0] ?? '') && argv.slice(1).every((a) => a === '--help' || !a.startsWith('-'))

/**
 * The whole of K2 in one run, offline: four simulated exchanges on 127.0.0.1 (BTC and ETH, in a
 * market whose clock runs fast through the last two hours) → feeds through scripted faults → the
 * lake (bronze, silver, coverage) → the roll-up into gold → the invariant checks, a cross-exchange
 * reconciliation, time travel and a chart. Appends to the lake when it exists: a rerun continues the
 * market where the lake's trades end.
 */
export async function demo(opts: DemoOptions = {}): Promise<DemoReport> {
  const out = opts.out ?? console.log
  const print = (lines: readonly string[]) => {
    for (const l of lines) out(l)
  }
  const err = opts.err ?? (() => {})
  const seconds = opts.seconds ?? 4
  const cwd = opts.cwd ?? process.cwd()
  const dir = resolve(cwd, opts.lake ?? DEFAULT_LAKE)
  const signal = opts.signal ?? new AbortController().signal

  const lake = await openLake(dir)
  try {
    const end = await tradesEnd(lake)
    const before = await snapshots(lake)
    const endMs = Date.now() + seconds * 1000
    const ticks = ticksOf(seconds)
    const span = marketSpan((ticks * TRADES_PER_TICK) / PAIRS_PER_VENUE)
    const market = new DemoMarket(marketStart(end.lastTradeMs, endMs, span), endMs, ticks, TRADES_PER_TICK, end.lastIds)
    const fromUs = market.startMs * 1000
    out(
      `K2 demo: 4 simulated exchanges → feeds → lake ${shownPath(dir, cwd)}${end.trades > 0 ? ` (appending to ${count(end.trades)} trades)` : ''}`,
    )
    out(`  ${seconds} s of trading: the market's clock runs fast from ${clock(fromUs)} to now (UTC)`)
    out(`  faults: ${FAULTS.map((f) => `${f.exchange} ${f.what}`).join('; ')}`)
    const timer = phases()
    err(`k2 demo: trading for ${seconds} s…`)
    const session = await trade(lake, market, signal)
    timer.lap('trading')
    if (signal.aborted) {
      // what the feeds delivered is committed; the lake is consistent, just shorter
      throw new K2Error(
        'CLOSED',
        `interrupted: the trades delivered so far are committed to ${shownPath(dir, cwd)}; run the demo again to go on`,
      )
    }
    const toUs = Math.max(...[...session.printed.values()].map((p) => p.trades.at(-1)?.ts ?? fromUs))

    err('k2 demo: rolling up, checking…')
    const rolled = await rollup(lake, { timeframes: [...DEMO_TIMEFRAMES] })
    timer.lap('roll-up')
    const after = await snapshots(lake)
    const stored = await storedOnce(lake, session)
    const totals = (
      await lake.sql`select count(*) as n, count(distinct (exchange, symbol, id)) as d from ${lake.ref('silver.trades')}`.rows()
    )[0]
    const lastTrade = new Map([...session.printed].map(([k, p]) => [k, p.trades.at(-1)?.ts ?? fromUs]))
    const missingGold = await missingLastCandles(lake, lastTrade)
    const invariants = await check(lake, INVARIANTS)
    const reconciliation = await reconcileBtc(lake, end.firstTradeMs === null ? fromUs : end.firstTradeMs * 1000, toUs)
    timer.lap('checks')
    const chart = await renderChart(lake, dir, PAIR.exchange, PAIR.symbol, 120)
    timer.lap('chart')

    out('')
    print(feedTable(session))
    for (const [exchange, lines] of session.events) for (const l of lines.slice(0, 3)) out(`    ${exchange}: ${l}`)
    out('')
    out('Lake commits (each an Iceberg snapshot)')
    print(snapshotTable(before, after))
    out('')
    out(
      `Roll-up into gold.ohlcv (${rolled.mode}): ${DEMO_TIMEFRAMES.map((tf) => `${count(rolled.buckets[tf] ?? 0)} ${tf}`).join(', ')} candles written`,
    )
    out(`Last 1m candles, ${PAIR.exchange} ${PAIR.symbol}`)
    print(await lastCandles(lake, PAIR.exchange, PAIR.symbol, 5))
    out('')
    print(reconciliation.lines)
    out('')
    print(await timeTravel(lake, before, after, PAIR))
    out('')
    out(`Chart: ${shownPath(chart.path, cwd)} (the last ${chart.candles} 1m candles of ${PAIR.exchange} ${PAIR.symbol}, SVG)`)

    const stats = session.stats
    const sum = (f: (s: FeedStats) => number) => stats.reduce((n, s) => n + f(s), 0)
    const of = (exchange: string) => stats.find((s) => s.exchange === exchange)
    const printed = [...session.printed.values()].reduce((n, p) => n + p.trades.length, 0)
    const reconnects = [...session.reconnects.values()].reduce((a, b) => a + b, 0)
    const lakeTrades = Number(totals?.n ?? 0)
    const distinct = Number(totals?.d ?? 0)
    const checks: DemoCheck[] = [
      {
        name: 'stored once',
        ok: stored.exact && stored.count === printed,
        detail: `every trade the exchanges printed is in silver.trades exactly once (${count(stored.count)} of ${count(printed)})`,
      },
      {
        name: 'no duplicates',
        ok: lakeTrades === distinct,
        detail: `the lake holds no trade twice (${count(distinct)} distinct of ${count(lakeTrades)})`,
      },
      {
        name: 'faults absorbed',
        ok:
          (of('binance')?.gapsHealed ?? 0) >= 1 &&
          (of('kraken')?.dlq ?? 0) >= 1 &&
          (session.reconnects.get('coinbase') ?? 0) >= 1 &&
          (session.reconnects.get('bitstamp') ?? 0) >= 1 &&
          sum((s) => s.gapsUnhealed) === 0,
        detail: `every fault was absorbed: ${sum((s) => s.gapsHealed)} gap(s) healed from REST, none left open; ${sum((s) => s.dlq)} frame(s) dead-lettered; ${reconnects} reconnect(s)`,
      },
      {
        name: 'gold current',
        ok: missingGold.length === 0,
        detail:
          missingGold.length === 0
            ? `gold.ohlcv has the ${DEMO_TIMEFRAMES.join(', ')} candles of every pair's last trade`
            : `gold.ohlcv lacks ${missingGold.slice(0, 4).join(', ')}${missingGold.length > 4 ? ', …' : ''}`,
      },
      { name: 'reconciliation', ok: reconciliation.ok, detail: "the exchanges' BTC closes agree, minute by minute" },
      {
        name: 'invariants',
        ok: invariants.ok,
        detail: `${invariants.summary()}`,
      },
    ]
    const ok = checks.every((c) => c.ok)
    out('')
    out('Checks')
    for (const c of checks) out(`  ${mark(c.ok)} ${c.detail}`)
    out(`    (${INVARIANTS_NOTE})`)
    if (!invariants.ok) print(String(invariants).split('\n'))
    // One line scripts can match (the counts without separators).
    out(`${mark(ok)} the exchanges printed ${printed} trades; the lake holds ${stored.count} (${stored.distinct} distinct) of them`)
    out(`  ${timer.summary()}`)
    const next = tryNext(dir, cwd, opts.canRun ?? defaultCanRun)
    out('')
    out('Try next:')
    print(next.lines)
    return {
      ok,
      lake: dir,
      printed,
      stored: stored.count,
      lakeTrades,
      distinct,
      feeds: stats,
      pipe: session.pipe,
      gapsHealed: sum((s) => s.gapsHealed),
      deadLetters: sum((s) => s.dlq),
      reconnects,
      market: { from: fromUs, to: toUs },
      snapshotsWritten: Object.fromEntries(DEMO_TABLES.map((t) => [t, (after.get(t)?.length ?? 0) - (before.get(t)?.length ?? 0)])),
      checks,
      invariants,
      chart: chart.path,
      tryNext: next.argv,
    }
  } finally {
    await lake.close()
  }
}

/** Whether silver.trades holds each printed trade of this run exactly once, and nothing else in its id range. */
async function storedOnce(lake: Lake, session: Session): Promise<{ exact: boolean; count: number; distinct: number }> {
  let exact = true
  let n = 0
  let distinct = 0
  for (const { exchange, symbol, trades } of session.printed.values()) {
    const first = trades[0]
    if (!first) continue
    const ids = await storedIdsFrom(lake, exchange, symbol, first.id)
    n += ids.length
    distinct += new Set(ids).size
    if (ids.length !== trades.length || ids.some((id, i) => id !== trades[i]?.id)) exact = false
  }
  return { exact, count: n, distinct }
}

function feedTable(session: Session): string[] {
  const fault = new Map(FAULTS.map((f) => [f.exchange, f.what]))
  return [
    'Feeds',
    ...table(
      session.stats.map((s) => ({
        exchange: s.exchange,
        frames: s.frames,
        trades: s.trades,
        reconnects: session.reconnects.get(s.exchange) ?? 0,
        'gaps healed': s.gapsHealed,
        'dead-lettered': s.dlq,
        'the exchange…': fault.get(s.exchange) ?? '',
      })),
    ),
  ]
}

function snapshotTable(
  before: ReadonlyMap<TableName, readonly SnapshotInfo[]>,
  after: ReadonlyMap<TableName, readonly SnapshotInfo[]>,
): string[] {
  return table(
    DEMO_TABLES.map((t) => {
      const now = after.get(t) ?? []
      return {
        table: t,
        'snapshots this run': now.length - (before.get(t)?.length ?? 0),
        'in all': now.length,
        rows: now.at(-1)?.totalRows ?? 0,
        'last commit': clock(now.at(-1)?.timestamp, true),
      }
    }),
  )
}
