import { type BucketOptions, bucketIndex } from './buckets.js'
import { type CandleInput, candleColumns, looksLikeCandles } from './candle-columns.js'
import { type LinearFit, linearRegression } from './regression.js'
import { type TradeInput, tradeColumns } from './trade-columns.js'
import { assertSorted, invalid } from './validation.js'

/** Kyle's lambda and the per-bucket data it was fitted on. */
export interface MarketImpact extends LinearFit {
  /** The slope: log return per unit of signed base volume (e.g. per BTC). Same as `slope`. */
  lambda: number
  /** Bucket starts (epoch µs) of the fitted rows: every bucket but the first. */
  start: Float64Array
  /** Σ qty of taker buys − Σ qty of taker sells, per bucket (base units). */
  signedVolume: Float64Array
  /** ln(close / previous close) per bucket. */
  logReturn: Float64Array
}

/**
 * Market impact (Kyle's lambda) by OLS: logReturn[b] = intercept + λ · signedVolume[b] + ε.
 *
 * - From **trades** (needs `timeframe`): per UTC bucket, signedVolume = Σ buy qty − Σ sell qty
 *   (unknown-side trades ignored) and logReturn = ln(last price in the bucket / last price of the
 *   previous non-empty bucket): with no trades in between, that price still stood, so a gap of
 *   empty buckets is bridged rather than dropped. Trades must be sorted by ts ("last" depends on it).
 * - From **candles** (a `close` column): signedVolume = 2 · buyVolume − volume and logReturn =
 *   ln(close / previous candle's close); candles must be sorted by start. Candles without taker-buy
 *   volume give NaN signed volume.
 *
 * The first bucket has no previous price and is not fitted. Rows with a missing value are dropped
 * by the regression (`n` says how many were used). λ > 0 means buying pushes the price up; `tStat`
 * tests λ = 0 (n − 2 degrees of freedom; ±Infinity for a perfect fit).
 *
 * @example
 * const { lambda, tStat, r2 } = marketImpact(trades, { timeframe: '1m' })
 */
export function marketImpact(input: TradeInput | CandleInput, options?: Partial<BucketOptions>): MarketImpact {
  const rows = looksLikeCandles(input) ? fromCandles(input) : fromTrades(input as TradeInput, options)
  const fit = linearRegression(rows.signedVolume, rows.logReturn)
  return { ...fit, lambda: fit.slope, ...rows }
}

type ImpactRows = Pick<MarketImpact, 'start' | 'signedVolume' | 'logReturn'>

function fromCandles(input: CandleInput): ImpactRows {
  const c = candleColumns(input, 'marketImpact: candles')
  assertSorted(c.start, 'marketImpact: candles')
  const m = Math.max(0, c.start.length - 1)
  const rows: ImpactRows = { start: c.start.slice(1), signedVolume: new Float64Array(m), logReturn: new Float64Array(m) }
  for (let b = 1; b < c.start.length; b++) {
    rows.signedVolume[b - 1] = 2 * (c.buyVolume[b] as number) - (c.volume[b] as number)
    rows.logReturn[b - 1] = Math.log((c.close[b] as number) / (c.close[b - 1] as number))
  }
  return rows
}

function fromTrades(input: TradeInput, options: Partial<BucketOptions> | undefined): ImpactRows {
  if (!options?.timeframe) throw invalid("marketImpact: trades need a bucket width, e.g. { timeframe: '1m' } (candles do not)")
  const t = tradeColumns(input, 'marketImpact: trades')
  assertSorted(t.ts, 'marketImpact: trades')
  for (let i = 0; i < t.ts.length; i++) if (!Number.isFinite(t.price[i]) || !Number.isFinite(t.qty[i])) t.ts[i] = Number.NaN
  const { starts, bucketOf } = bucketIndex(t.ts, { timeframe: options.timeframe, offset: options.offset ?? 0 })
  const signed = new Float64Array(starts.length)
  const close = new Float64Array(starts.length)
  for (let i = 0; i < t.ts.length; i++) {
    const b = bucketOf[i] as number
    if (b < 0) continue
    signed[b] = (signed[b] as number) + (t.sign[i] as number) * (t.qty[i] as number)
    close[b] = t.price[i] as number // sorted, so the last write is the bucket's last trade
  }
  const m = Math.max(0, starts.length - 1)
  const logReturn = new Float64Array(m)
  for (let b = 1; b < starts.length; b++) logReturn[b - 1] = Math.log((close[b] as number) / (close[b - 1] as number))
  return { start: starts.slice(1), signedVolume: signed.slice(1), logReturn }
}
