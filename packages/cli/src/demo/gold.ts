import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { candlestickSvg, type GoldCandleRow, reconcileExchanges } from '@k2/analytics'
import { bucketStart, MICROS_PER_MINUTE, parseTimeframe } from '@k2/core'
import type { Lake } from '@k2/store'
import { bp, clock, mark, price, table } from './text.js'

/** The timeframes the demo rolls up into gold. */
export const DEMO_TIMEFRAMES = ['1m', '5m', '30m', '1h', '1d'] as const

type GoldRow = GoldCandleRow & { exchange: string; symbol: string; timeframe: string; start: number; close: number }

async function goldCandles(lake: Lake, exchange: string, symbol: string, timeframe: string, last: number): Promise<GoldRow[]> {
  const rows = await lake.query('gold.ohlcv').where({ exchange, symbol, timeframe }).orderBy('start', 'desc').limit(last).rows()
  return (rows as unknown as GoldRow[]).reverse()
}

/** The last `n` 1m candles of a pair, as a table. */
export async function lastCandles(lake: Lake, exchange: string, symbol: string, n: number): Promise<string[]> {
  const rows = await goldCandles(lake, exchange, symbol, '1m', n)
  return table(
    rows.map((c) => ({
      start: clock(c.start),
      open: price(c.open),
      high: price(c.high),
      low: price(c.low),
      close: price(c.close),
      volume: c.volume?.toFixed(4),
      trades: Number(c.trades),
      complete: c.complete ? 'yes' : 'not yet',
    })),
  )
}

/**
 * The candles gold lacks: for each pair and timeframe, the one whose bucket holds the pair's last
 * trade (`exchange symbol timeframe` of each missing one; none when the roll-up caught up).
 */
export async function missingLastCandles(lake: Lake, lastTradeUs: ReadonlyMap<string, number>): Promise<string[]> {
  const earliest = Math.min(...lastTradeUs.values())
  const rows = await lake
    .query('gold.ohlcv')
    .where('start', '>=', bucketStart(earliest, parseTimeframe('1d')))
    .select('exchange', 'symbol', 'timeframe', 'start')
    .rows()
  const have = new Set(rows.map((r) => `${r.exchange} ${r.symbol} ${r.timeframe} ${r.start}`))
  const missing: string[] = []
  for (const [pair, last] of lastTradeUs) {
    for (const tf of DEMO_TIMEFRAMES) if (!have.has(`${pair} ${tf} ${bucketStart(last, parseTimeframe(tf))}`)) missing.push(`${pair} ${tf}`)
  }
  return missing
}

export interface Reconciliation {
  ok: boolean
  lines: string[]
}

const RECONCILE_MINUTES = 60
const PRICE_TOLERANCE = 0.001

/**
 * BTC's 1m closes on each exchange against Coinbase's over the last hour of the lake's market time
 * (whole minutes from `firstUs`, its first trade, to `endUs`; Binance's BTC-USDT taken at par with
 * USD): minutes one side lacks, and the largest close divergence.
 */
export async function reconcileBtc(lake: Lake, firstUs: number, endUs: number): Promise<Reconciliation> {
  const minute = (us: number) => Math.floor(us / MICROS_PER_MINUTE) * MICROS_PER_MINUTE
  const to = minute(endUs)
  const from = Math.max(to - RECONCILE_MINUTES * MICROS_PER_MINUTE, minute(firstUs) + MICROS_PER_MINUTE)
  const closes = async (exchange: string, symbol: string) =>
    (
      await lake.query('gold.ohlcv').where({ exchange, symbol, timeframe: '1m' }).where('start', '>=', from).where('start', '<', to).rows()
    ).map((r) => ({ exchange: r.exchange, timeframe: r.timeframe, start: r.start, close: r.close, volume: r.volume }))
  const reference = await closes('coinbase', 'BTC-USD')
  const rows: Record<string, unknown>[] = []
  let ok = true
  for (const [exchange, symbol] of [
    ['kraken', 'BTC-USD'],
    ['bitstamp', 'BTC-USD'],
    ['binance', 'BTC-USDT'],
  ] as const) {
    const r = reconcileExchanges(await closes(exchange, symbol), reference, { priceTolerance: PRICE_TOLERANCE, volumeTolerance: Infinity })
    const missing = r.missingLeft.length + r.missingRight.length
    const good = r.matched > 0 && missing === 0 && r.priceDivergences.length === 0
    ok &&= good
    rows.push({
      '': mark(good),
      pair: `${exchange} ${symbol} vs coinbase BTC-USD`,
      minutes: r.matched,
      missing,
      'max close divergence': bp(r.maxPriceDivergence),
      [`over ${bp(PRICE_TOLERANCE)}`]: r.priceDivergences.length,
    })
  }
  return { ok, lines: [`Cross-exchange: BTC 1m closes, ${clock(from)}–${clock(to)} UTC`, ...table(rows)] }
}

/** Renders the last `n` 1m candles of a pair as an SVG candlestick chart under `<lake>/charts/`; returns its path and size. */
export async function renderChart(
  lake: Lake,
  dir: string,
  exchange: string,
  symbol: string,
  n: number,
): Promise<{ path: string; candles: number }> {
  const rows = await goldCandles(lake, exchange, symbol, '1m', n)
  const svg = await candlestickSvg(rows, { title: `${exchange} ${symbol} · 1m · K2 demo` })
  const charts = join(dir, 'charts')
  await mkdir(charts, { recursive: true })
  const path = join(charts, `${exchange}-${symbol}-1m.svg`)
  await writeFile(path, svg)
  return { path, candles: rows.length }
}
