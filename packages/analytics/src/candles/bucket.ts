import type { CanonicalSymbol, Exchange, Micros, Timeframe } from '@k2/core'
import { CandleSums } from './candle-sums.js'
import { compareIds } from './trade-order.js'
import type { EmptyCandle, OhlcvCandle } from './types.js'

/** Which candle a bucket stands for. */
export interface BucketKey {
  exchange: Exchange
  symbol: CanonicalSymbol
  timeframe: Timeframe
}

/** One bucket's running state: open and close by (ts, id) order, extremes, count and exact sums. */
export class Bucket {
  openTs = Number.POSITIVE_INFINITY
  openId = ''
  open = 0
  closeTs = Number.NEGATIVE_INFINITY
  closeId = ''
  close = 0
  high = Number.NEGATIVE_INFINITY
  low = Number.POSITIVE_INFINITY
  trades = 0
  readonly sums = new CandleSums()
  /** Streaming only: -1 until first emitted, then the revision last emitted. */
  revision = -1
  /** Streaming only: changed since last emitted. */
  dirty = false
  /** Streaming only: what was last emitted for an empty bucket under `fill: 'prev'`, and its completeness. */
  emittedFillPrice = Number.NaN
  emittedComplete = true

  constructor(
    readonly start: Micros,
    readonly end: Micros,
  ) {}

  /** Ties in (ts, id) keep the first trade seen as open and the last as close, like a stable sort. */
  add(ts: number, id: string, price: number, qty: number, isBuy: boolean): void {
    if (ts < this.openTs || (ts === this.openTs && compareIds(id, this.openId) < 0)) {
      this.openTs = ts
      this.openId = id
      this.open = price
    }
    if (ts > this.closeTs || (ts === this.closeTs && compareIds(id, this.closeId) >= 0)) {
      this.closeTs = ts
      this.closeId = id
      this.close = price
    }
    if (price > this.high) this.high = price
    if (price < this.low) this.low = price
    this.trades++
    this.sums.add(price, qty, isBuy)
  }

  toCandle(key: BucketKey, complete: boolean): OhlcvCandle {
    const volume = this.sums.volumeTotal()
    const quote = this.sums.quoteVolumeTotal()
    const buy = this.sums.buyVolumeTotal()
    return {
      exchange: key.exchange,
      symbol: key.symbol,
      timeframe: key.timeframe,
      start: this.start,
      open: this.open,
      high: this.high,
      low: this.low,
      close: this.close,
      volume: volume.value,
      quoteVolume: quote.value,
      trades: this.trades,
      buyVolume: buy.value,
      vwap: vwapOf(quote.value, volume.value, this.low, this.high),
      complete,
      source: 'trades',
      volumeExact: volume.exact,
      quoteVolumeExact: quote.exact,
      buyVolumeExact: buy.exact,
    }
  }
}

/** docs/candles.md: quoteVolume / volume on the two rounded values, clamped into [low, high]. */
export function vwapOf(quoteVolume: number, volume: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, quoteVolume / volume))
}

/** A bucket without trades: `fill: 'prev'` repeats the previous close, `fill: 'null'` has no prices. */
export function filledCandle(key: BucketKey, start: Micros, complete: boolean, prevClose: number | null): OhlcvCandle | EmptyCandle {
  const base = {
    exchange: key.exchange,
    symbol: key.symbol,
    timeframe: key.timeframe,
    start,
    volume: 0,
    quoteVolume: 0,
    trades: 0,
    buyVolume: 0,
    complete,
    source: 'trades' as const,
    volumeExact: '0',
    quoteVolumeExact: '0',
    buyVolumeExact: '0',
  }
  if (prevClose === null) return { ...base, open: null, high: null, low: null, close: null, vwap: null }
  return { ...base, open: prevClose, high: prevClose, low: prevClose, close: prevClose, vwap: prevClose }
}
