import { bucketStart, K2Error, type ParsedTimeframe } from '@k2/core'
import { ExactSum } from '../candles/exact-sum.js'
import type { GoldRow } from './gold-row.js'
import { vwapOf } from './gold-row.js'

/**
 * Higher-timeframe candles from lower ones (e.g. 1h from 30m): open of the first, close of the
 * last, extremes, counts, and the exact decimal sums added exactly, rounded once — the same bits
 * as computing them from the trades. `complete` is left true: the caller decides it from coverage,
 * since an empty (hence missing) lower bucket can still be uncovered time.
 */
export function deriveCandles(lower: readonly GoldRow[], tf: ParsedTimeframe): GoldRow[] {
  const groups = new Map<string, GoldRow[]>()
  for (const r of lower) {
    const k = `${r.exchange}\u0000${r.symbol}\u0000${bucketStart(r.start, tf)}`
    const g = groups.get(k)
    if (g) g.push(r)
    else groups.set(k, [r])
  }
  const out: GoldRow[] = []
  for (const g of groups.values()) {
    g.sort((a, b) => a.start - b.start)
    const first = g[0] as GoldRow
    const exact = (pick: (r: GoldRow) => string | null) => {
      const sum = new ExactSum()
      for (const r of g) {
        const v = pick(r)
        if (v === null) {
          throw new K2Error(
            'CORRUPT_TABLE',
            `gold.ohlcv ${r.exchange} ${r.symbol} ${r.timeframe} at ${r.start} has no exact sums to derive ${tf.timeframe} from: run rollup(lake, { full: true })`,
          )
        }
        sum.add(v)
      }
      return sum.exact()
    }
    const volumeExact = exact((r) => r.volume_exact)
    const quoteExact = exact((r) => r.quote_volume_exact)
    const buyExact = exact((r) => r.buy_volume_exact)
    let high = first.high
    let low = first.low
    let trades = 0
    for (const r of g) {
      if (r.high > high) high = r.high
      if (r.low < low) low = r.low
      trades += r.trades
    }
    const volume = Number(volumeExact)
    const quoteVolume = Number(quoteExact)
    out.push({
      exchange: first.exchange,
      symbol: first.symbol,
      timeframe: tf.timeframe,
      start: bucketStart(first.start, tf),
      open: first.open,
      high,
      low,
      close: (g.at(-1) as GoldRow).close,
      volume,
      quote_volume: quoteVolume,
      trades,
      buy_volume: Number(buyExact),
      vwap: vwapOf(quoteVolume, volume, low, high),
      complete: true,
      volume_exact: volumeExact,
      quote_volume_exact: quoteExact,
      buy_volume_exact: buyExact,
      source: 'trades',
    })
  }
  return out.sort((a, b) =>
    a.exchange < b.exchange ? -1 : a.exchange > b.exchange ? 1 : a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.start - b.start,
  )
}
