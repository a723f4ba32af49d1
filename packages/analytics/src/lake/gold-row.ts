import type { Candle, Tables, Timeframe } from '@k2/core'

/** A row of gold.ohlcv: a candle with its exact decimal sums. */
export type GoldRow = Tables['gold.ohlcv']

/** The columns that identify a candle in gold.ohlcv (a bucket of one timeframe, per source). */
export const GOLD_KEY = ['exchange', 'symbol', 'timeframe', 'start', 'source'] as const

export const keyOf = (r: { exchange: string; symbol: string; timeframe: string; start: number }): string =>
  `${r.exchange}\u0000${r.symbol}\u0000${r.timeframe}\u0000${r.start}`

/** `quoteVolume / volume` on the two rounded sums, clamped into [low, high] (docs/candles.md). */
export function vwapOf(quoteVolume: number, volume: number, low: number, high: number): number {
  return Math.min(Math.max(quoteVolume / volume, low), high)
}

/** The core `Candle` of a gold row. */
export function toCandle(r: GoldRow): Candle {
  return {
    exchange: r.exchange as Candle['exchange'],
    symbol: r.symbol as Candle['symbol'],
    timeframe: r.timeframe as Timeframe,
    start: r.start,
    open: r.open,
    high: r.high,
    low: r.low,
    close: r.close,
    volume: r.volume,
    quoteVolume: r.quote_volume,
    trades: r.trades,
    buyVolume: r.buy_volume,
    vwap: r.vwap,
    complete: r.complete,
    source: r.source as Candle['source'],
  }
}
