import { bucketStart, type Candle, type Tables, type Timeframe, type Trade } from '@k2/core'

/** 2024-01-31T00:00:00Z in µs. */
export const T0 = Date.UTC(2024, 0, 31) * 1000
export const MINUTE = 60_000_000

/**
 * `n` clean trades, one every 10 s from T0, ids counting up from 1000. Quantities are multiples of
 * 0.25 and prices whole numbers, so plain double sums are exact and the candles below are too.
 */
export function makeTrades(n: number, over: Partial<Trade> = {}): Trade[] {
  return Array.from({ length: n }, (_, i) => {
    const ts = T0 + i * 10_000_000
    return {
      type: 'trade' as const,
      exchange: 'binance' as const,
      symbol: 'BTC-USDT',
      id: String(1000 + i),
      price: 40_000 + ((i * 3) % 7),
      qty: 0.25 * (1 + (i % 3)),
      side: i % 2 === 0 ? ('buy' as const) : ('sell' as const),
      ts,
      recvTs: ts + 1000,
      ...over,
    }
  })
}

/** Candles straight from trades (no derivation from another timeframe): the reference the checks compare. */
export function candlesOf(trades: readonly Trade[], timeframe: Timeframe): Candle[] {
  const buckets = new Map<string, Trade[]>()
  for (const t of [...trades].sort((a, b) => a.ts - b.ts)) {
    const k = `${t.exchange}|${t.symbol}|${bucketStart(t.ts, timeframe)}`
    buckets.set(k, [...(buckets.get(k) ?? []), t])
  }
  return [...buckets.values()].map((ts) => {
    const first = ts[0] as Trade
    const volume = ts.reduce((s, t) => s + t.qty, 0)
    const quoteVolume = ts.reduce((s, t) => s + t.price * t.qty, 0)
    const high = Math.max(...ts.map((t) => t.price))
    const low = Math.min(...ts.map((t) => t.price))
    return {
      exchange: first.exchange,
      symbol: first.symbol,
      timeframe,
      start: bucketStart(first.ts, timeframe),
      open: first.price,
      high,
      low,
      close: (ts.at(-1) as Trade).price,
      volume,
      quoteVolume,
      trades: ts.length,
      buyVolume: ts.filter((t) => t.side === 'buy').reduce((s, t) => s + t.qty, 0),
      vwap: Math.min(Math.max(quoteVolume / volume, low), high),
      complete: true,
      source: 'trades' as const,
    }
  })
}

/** A candle as the gold.ohlcv row a lake query returns, with its exact decimal sums. */
export function goldRow(c: Candle): Tables['gold.ohlcv'] {
  return {
    exchange: c.exchange,
    symbol: c.symbol,
    timeframe: c.timeframe,
    start: c.start,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
    quote_volume: c.quoteVolume,
    trades: c.trades,
    buy_volume: c.buyVolume,
    vwap: c.vwap,
    complete: c.complete,
    volume_exact: String(c.volume),
    quote_volume_exact: String(c.quoteVolume),
    buy_volume_exact: String(c.buyVolume),
    source: c.source,
  }
}

/** 60 trades → ten 1m candles and two 5m candles. */
export function cleanCandles(): { trades: Trade[]; m1: Candle[]; m5: Candle[] } {
  const trades = makeTrades(60)
  return { trades, m1: candlesOf(trades, '1m'), m5: candlesOf(trades, '5m') }
}
