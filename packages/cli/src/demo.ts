import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CanonicalSymbol, type Exchange, K2Error, systemClock, toIso } from '@k2/core'
import { type FeedOptions, openFeeds } from '@k2/feeds'
import { type ExchangeSimulator, startSimulator } from '@k2/feeds/testing'
import { openLake, type PipeStats, pipe } from '@k2/store'

export interface DemoOptions {
  /** How long the simulated exchanges trade (default 4 s). */
  seconds?: number
  /** Lake directory (default: a new temporary directory). */
  lake?: string
  out?: (line: string) => void
}

export interface DemoReport {
  lake: string
  /** Trades the simulated exchanges printed (their ground truth). */
  printed: number
  /** Trades in silver.trades after the run. */
  stored: number
  /** Distinct (exchange, symbol, id) in silver.trades: equal to `stored` when nothing is duplicated. */
  distinct: number
  pipe: PipeStats
  gapsHealed: number
  deadLetters: number
  reconnects: number
}

const MARKETS: [Exchange, CanonicalSymbol[]][] = [
  ['binance', ['BTC-USDT', 'ETH-USDT']],
  ['kraken', ['BTC-USD']],
  ['coinbase', ['BTC-USD', 'ETH-USD']],
  ['bitstamp', ['BTC-USD']],
]

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * The whole of K2 in one run, offline: four simulated exchanges on 127.0.0.1 → feeds (with a gap to
 * heal, a malformed frame and a dropped connection) → the lake (bronze, silver, coverage) → typed
 * queries. Checks that the lake holds every printed trade exactly once and prints what it found.
 */
export async function demo(opts: DemoOptions = {}): Promise<DemoReport> {
  const out = opts.out ?? console.log
  const seconds = opts.seconds ?? 4
  const dir = opts.lake ?? (await mkdtemp(join(tmpdir(), 'k2-demo-')))
  out(`K2 demo: 4 simulated exchanges → feeds → lake at ${dir} → queries (${seconds} s)\n`)

  const sims: ExchangeSimulator[] = []
  const feeds: FeedOptions[] = []
  for (const [i, [exchange, symbols]] of MARKETS.entries()) {
    const sim = await startSimulator({ exchange, symbols, seed: i + 1 })
    sims.push(sim)
    feeds.push({ exchange, symbols, url: sim.url, restUrl: sim.restUrl, historyMinIntervalMs: 20, historyRetryMinMs: 50 })
  }
  const feed = openFeeds(feeds)
  feed.on(
    'gap',
    (g) =>
      g.state !== 'open' &&
      out(`  gap   ${g.exchange} ${g.symbol} ids ${g.fromId}..${g.toId} ${g.state}${g.healedBy ? ` by ${g.healedBy}` : ''}`),
  )
  feed.on('dlq', (d) => out(`  dlq   ${d.exchange} ${d.errorCode}: ${d.errorMessage.slice(0, 80)}`))
  feed.on(
    'status',
    (s) => s.state === 'disconnected' && out(`  conn  ${s.exchange} disconnected (${s.reason ?? 'no reason'}); reconnecting`),
  )

  const lake = await openLake(dir)
  const stop = new AbortController()
  const piping = pipe(feed, lake, { signal: stop.signal, flushMs: 500 })
  await waitFor(() => sims.every((s) => s.subscribers() > 0), 10_000, 'the feeds did not subscribe to the simulators')

  // Trade for a while; in the middle, make trouble the feeds must absorb.
  const start = Date.now()
  let tick = 0
  while (Date.now() - start < seconds * 1000 || tick <= 30) {
    // at least 30 ticks, so every fault happens
    for (const sim of sims) sim.publish(20)
    if (tick === 10) sims[0]?.skipNext(7) // a gap: healed from REST history
    if (tick === 15) sims[1]?.sendMalformed('garbage') // a bad frame: to the dead-letter table
    if (tick === 20) sims[2]?.disconnectAll() // a dropped connection: reconnect, resubscribe, heal
    tick++
    await sleep(25)
  }
  const printed = sims.reduce((n, s) => n + s.tape.symbols.reduce((m, sym) => m + s.trades(sym).length, 0), 0)
  await waitFor(() => feed.stats().reduce((n, s) => n + s.trades, 0) >= printed, 30_000, 'the feeds did not deliver every trade')
  stop.abort()
  const piped = await piping
  await Promise.all(sims.map((s) => s.close()))
  const stats = feed.stats()

  try {
    const perSymbol = await lake
      .query('silver.trades')
      .groupBy('exchange', 'symbol')
      .aggregate((f) => ({ trades: f.count(), volume: f.sum('qty'), vwap: f.avg('price'), first: f.min('ts'), last: f.max('ts') }))
      .orderBy('exchange')
      .orderBy('symbol')
      .rows()
    out('\nsilver.trades by exchange and symbol:')
    out(
      table(
        perSymbol.map((r) => ({ ...r, volume: r.volume?.toFixed(4), vwap: r.vwap?.toFixed(2), first: iso(r.first), last: iso(r.last) })),
      ),
    )

    const candles = await lake
      .query('silver.trades')
      .where({ exchange: 'binance', symbol: 'BTC-USDT' })
      .bucket('1m', { as: 'start' })
      .aggregate((f) => ({
        open: f.first('price'),
        high: f.max('price'),
        low: f.min('price'),
        close: f.last('price'),
        volume: f.sum('qty'),
        trades: f.count(),
      }))
      .orderBy('start')
      .rows()
    out('\n1-minute OHLCV, binance BTC-USDT (typed builder, every value a bound parameter):')
    out(table(candles.map((c) => ({ ...c, start: iso(c.start), volume: c.volume?.toFixed(4) }))))

    const totals =
      await lake.sql`select count(*) as stored, count(distinct (exchange, symbol, id)) as distinct_ids from ${lake.ref('silver.trades')}`.rows()
    const stored = Number(totals[0]?.stored ?? 0)
    const distinct = Number(totals[0]?.distinct_ids ?? 0)

    const history = await (await lake.table('silver.trades')).history()
    out(`\nsilver.trades has ${history.length} snapshots; the latest: ${history.at(-1)?.snapshotId} (${history.at(-1)?.operation})`)
    // Coverage is kept on the receive clock (the simulators' trades carry a fixed historical day).
    const day = toIso(systemClock()).slice(0, 10)
    for (const symbol of MARKETS[0]?.[1] ?? []) {
      const cov = await lake.coverage({ exchange: 'binance', symbol, day })
      const ranges = cov.received.map((r) => `${r.fromId}..${r.toId}`).join(', ')
      const gaps = cov.gaps.map((g) => `${g.fromId}..${g.toId} ${g.state}${g.healedBy ? ` by ${g.healedBy}` : ''}`).join(', ') || 'none'
      out(`bronze.coverage, binance ${symbol} on ${day}: trade ids received ${ranges}; gaps ${gaps}`)
    }

    const report: DemoReport = {
      lake: dir,
      printed,
      stored,
      distinct,
      pipe: piped,
      gapsHealed: stats.reduce((n, s) => n + s.gapsHealed, 0),
      deadLetters: stats.reduce((n, s) => n + s.dlq, 0),
      reconnects: stats.reduce((n, s) => n + s.reconnects, 0),
    }
    const ok = stored === printed && distinct === stored
    out(
      `\n${ok ? '✓' : '✗'} the exchanges printed ${printed} trades; the lake holds ${stored} (${distinct} distinct). ` +
        `${report.gapsHealed} gap(s) healed, ${report.deadLetters} dead letter(s), ${report.reconnects} reconnect(s), ${piped.frames} raw frames kept.`,
    )
    if (!ok) throw new K2Error('INTERNAL', `the demo lost or duplicated trades: printed ${printed}, stored ${stored}, distinct ${distinct}`)
    return report
  } finally {
    await lake.close()
  }
}

async function waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > until) throw new K2Error('CONNECTION', `${what} within ${timeoutMs} ms`)
    await sleep(20)
  }
}

function iso(us: number | null | undefined): string {
  return us == null ? '' : toIso(us).slice(11, 26)
}

/** A plain-text table of rows. */
function table(rows: readonly Record<string, unknown>[]): string {
  const first = rows[0]
  if (!first) return '  (no rows)'
  const cols = Object.keys(first)
  const cell = (v: unknown) => (v == null ? '' : String(v))
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)))
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(width[i] ?? 0)).join('  ')}`
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n')
}
