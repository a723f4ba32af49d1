import { bucketStart, type Micros, type ParsedTimeframe } from '@k2/core'
import { Bucket, type BucketKey, filledCandle } from './bucket.js'
import type { CoverageBreak, EmptyCandle, Fill, OhlcvCandle } from './types.js'
import { badTrade } from './validate.js'

/** Trades as columns, ready for the hot loop: numbers in typed arrays, one key index per row. */
export interface NormalizedBatch {
  length: number
  ts: ArrayLike<number>
  price: ArrayLike<number>
  qty: ArrayLike<number>
  /** 1 where the taker bought; absent: no buys known. */
  buy: ArrayLike<number> | undefined
  id: ArrayLike<string> | undefined
  /** Index into `keys` per row; absent when every row has `keys[0]`. */
  keyIndex: ArrayLike<number> | undefined
  keys: Array<{ exchange: string; symbol: string }>
  /** Names a row in error messages. */
  describe: (row: number) => string
}

/**
 * Candles of a finite batch: everything is known, so no trade is late and the order of rows does not
 * matter (ties in ts without ids keep row order). Output is sorted by exchange, symbol, then start.
 */
export function batchCandles(
  batch: NormalizedBatch,
  tf: ParsedTimeframe,
  offset: Micros,
  fill: Fill,
  gaps: readonly CoverageBreak[],
): Array<OhlcvCandle | EmptyCandle> {
  const perKey = aggregate(batch, tf, offset)
  const order = batch.keys.map((k, i) => ({ ...k, i })).sort((a, b) => cmp(a.exchange, b.exchange) || cmp(a.symbol, b.symbol))
  const out: Array<OhlcvCandle | EmptyCandle> = []
  for (const k of order) {
    const buckets = perKey[k.i]
    if (buckets === undefined || buckets.size === 0) continue
    const key = { exchange: k.exchange, symbol: k.symbol, timeframe: tf.timeframe } as BucketKey
    emitSorted(
      [...buckets.values()].sort((a, b) => a.start - b.start),
      key,
      tf.micros,
      fill,
      gaps,
      out,
    )
  }
  return out
}

function aggregate(batch: NormalizedBatch, tf: ParsedTimeframe, offset: Micros): Array<Map<number, Bucket>> {
  const { ts, price, qty, buy, id, keyIndex, length } = batch
  const width = tf.micros
  const perKey: Array<Map<number, Bucket>> = batch.keys.map(() => new Map())
  let key = -1
  let buckets = perKey[0] as Map<number, Bucket>
  let current: Bucket | undefined
  let curStart = Number.POSITIVE_INFINITY
  let curEnd = Number.NEGATIVE_INFINITY
  for (let i = 0; i < length; i++) {
    const t = ts[i] as number
    const p = price[i] as number
    const q = qty[i] as number
    const k = keyIndex === undefined ? 0 : (keyIndex[i] as number)
    if (!(p > 0 && p < Number.POSITIVE_INFINITY && q > 0 && q < Number.POSITIVE_INFINITY)) throw badTrade(batch.describe(i), t, p, q)
    if (k !== key || !(t >= curStart && t < curEnd) || t !== Math.floor(t)) {
      if (!Number.isSafeInteger(t)) throw badTrade(batch.describe(i), t, p, q)
      if (k !== key) {
        key = k
        buckets = perKey[k] as Map<number, Bucket>
      }
      curStart = bucketStart(t, tf, offset)
      curEnd = curStart + width
      current = buckets.get(curStart)
      if (current === undefined) {
        current = new Bucket(curStart, curEnd)
        buckets.set(curStart, current)
      }
    }
    ;(current as Bucket).add(t, id === undefined ? '' : (id[i] as string), p, q, buy !== undefined && buy[i] === 1)
  }
  return perKey
}

/** Appends one key's candles, filling empty buckets between its first and last when asked. */
export function emitSorted(
  buckets: readonly Bucket[],
  key: BucketKey,
  width: number,
  fill: Fill,
  gaps: readonly CoverageBreak[],
  out: Array<OhlcvCandle | EmptyCandle>,
): void {
  let prev: Bucket | undefined
  for (const b of buckets) {
    if (prev !== undefined && fill !== 'none') {
      for (let s = prev.start + width; s < b.start; s += width)
        out.push(filledCandle(key, s, coveredBy(gaps, s, s + width), fill === 'prev' ? prev.close : null))
    }
    out.push(b.toCandle(key, coveredBy(gaps, b.start, b.end)))
    prev = b
  }
}

/** True when no break overlaps [start, end). */
export function coveredBy(gaps: readonly CoverageBreak[], start: Micros, end: Micros): boolean {
  for (const [gs, ge] of gaps) if (gs < end && ge > start) return false
  return true
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
