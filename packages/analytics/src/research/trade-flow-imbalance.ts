import { type BucketOptions, bucketIndex } from './buckets.js'
import { type TradeInput, tradeColumns } from './trade-columns.js'

/** Signed taker volume per time bucket (columns of equal length, one entry per non-empty bucket). */
export interface TradeFlowImbalance {
  /** Bucket starts, epoch µs, ascending. */
  start: Float64Array
  /** Σ qty of taker buys (base units). */
  buyVolume: Float64Array
  /** Σ qty of taker sells (base units). */
  sellVolume: Float64Array
  /** (buy − sell) / (buy + sell), in [−1, 1]; NaN when the bucket has no signed volume. */
  imbalance: Float64Array
  /** Trades in the bucket, those of unknown side included. */
  trades: Uint32Array
}

/**
 * Order-flow imbalance from trades: per bucket, imbalance = (buyVolume − sellVolume) / (buyVolume +
 * sellVolume), where buy/sell is the taker's side. +1: only buyers lifted offers; −1: only sellers hit bids.
 *
 * Trades of `unknown` side count in `trades` but in neither volume. Trades with a missing ts or qty
 * are skipped. Buckets are UTC-aligned like candles; empty buckets are skipped. Trades need not be
 * sorted. Empty input gives empty columns.
 *
 * @example
 * tradeFlowImbalance(trades, { timeframe: '1m' }).imbalance
 */
export function tradeFlowImbalance(trades: TradeInput, options: BucketOptions): TradeFlowImbalance {
  const { ts, qty, sign } = tradeColumns(trades, 'tradeFlowImbalance')
  for (let i = 0; i < ts.length; i++) if (!Number.isFinite(qty[i])) ts[i] = Number.NaN
  const { starts, bucketOf } = bucketIndex(ts, options)
  const m = starts.length
  const buyVolume = new Float64Array(m)
  const sellVolume = new Float64Array(m)
  const count = new Uint32Array(m)
  for (let i = 0; i < ts.length; i++) {
    const b = bucketOf[i] as number
    if (b < 0) continue
    count[b] = (count[b] as number) + 1
    if (sign[i] === 1) buyVolume[b] = (buyVolume[b] as number) + (qty[i] as number)
    else if (sign[i] === -1) sellVolume[b] = (sellVolume[b] as number) + (qty[i] as number)
  }
  const imbalance = new Float64Array(m)
  for (let b = 0; b < m; b++) {
    const total = (buyVolume[b] as number) + (sellVolume[b] as number)
    imbalance[b] = total > 0 ? ((buyVolume[b] as number) - (sellVolume[b] as number)) / total : Number.NaN
  }
  return { start: starts, buyVolume, sellVolume, imbalance, trades: count }
}
