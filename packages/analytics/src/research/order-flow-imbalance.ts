import { type BucketOptions, bucketIndex } from './buckets.js'
import { type QuoteInput, quoteColumns } from './quote-columns.js'
import { assertSorted } from './validation.js'

/**
 * Cont–Kukanov–Stoikov order-flow events, one per quote (top of book), in base-asset units:
 *
 *   e[n] = 1{Pb[n] ≥ Pb[n−1]}·qb[n] − 1{Pb[n] ≤ Pb[n−1]}·qb[n−1]
 *        − 1{Pa[n] ≤ Pa[n−1]}·qa[n] + 1{Pa[n] ≥ Pa[n−1]}·qa[n−1]
 *
 * (Pb, qb: best bid price and size; Pa, qa: best ask.) Positive e: demand grew (bid size added or
 * bid raised, ask size taken or ask lifted). e[0] is NaN (no previous quote). A quote with any missing
 * field gets NaN and is skipped, so the next quote compares with the last complete one. Quotes
 * must be sorted by ts (VALIDATION otherwise). Returns a `Float64Array`, one value per quote.
 *
 * Reference: R. Cont, A. Kukanov, S. Stoikov, "The price impact of order book events" (2014).
 */
export function ofiEvents(quotes: QuoteInput): Float64Array {
  const q = quoteColumns(quotes, 'ofiEvents')
  const n = q.ts.length
  assertSorted(q.ts, 'ofiEvents: quotes')
  const out = new Float64Array(n).fill(Number.NaN)
  let prev = -1
  for (let i = 0; i < n; i++) {
    const pb = q.bidPrice[i] as number
    const qb = q.bidQty[i] as number
    const pa = q.askPrice[i] as number
    const qa = q.askQty[i] as number
    if (![q.ts[i], pb, qb, pa, qa].every(Number.isFinite)) continue
    if (prev >= 0) {
      const pb0 = q.bidPrice[prev] as number
      const qb0 = q.bidQty[prev] as number
      const pa0 = q.askPrice[prev] as number
      const qa0 = q.askQty[prev] as number
      out[i] = (pb >= pb0 ? qb : 0) - (pb <= pb0 ? qb0 : 0) - (pa <= pa0 ? qa : 0) + (pa >= pa0 ? qa0 : 0)
    }
    prev = i
  }
  return out
}

/** Order-flow imbalance per time bucket (columns of equal length, one entry per bucket holding a quote). */
export interface OrderFlowImbalance {
  /** Bucket starts, epoch µs, ascending. */
  start: Float64Array
  /** Σ e[n] over the bucket's quotes (base units). */
  ofi: Float64Array
  /** Quotes in the bucket that contributed an event. */
  events: Uint32Array
}

/**
 * Cont–Kukanov–Stoikov OFI per bucket: OFI = Σ e[n] over the quotes n whose ts falls in the bucket
 * (see `ofiEvents`; the first event of a bucket compares with the last quote of the one before, so
 * no change is lost between buckets). Buckets are UTC-aligned like candles. A bucket whose quotes
 * give no event (only the very first quote) has OFI 0 and `events` 0.
 *
 * @example
 * orderFlowImbalance(quotes, { timeframe: '10s' }).ofi
 */
export function orderFlowImbalance(quotes: QuoteInput, options: BucketOptions): OrderFlowImbalance {
  const q = quoteColumns(quotes, 'orderFlowImbalance')
  const e = ofiEvents(q)
  const { starts, bucketOf } = bucketIndex(q.ts, options)
  const ofi = new Float64Array(starts.length)
  const events = new Uint32Array(starts.length)
  for (let i = 0; i < e.length; i++) {
    const b = bucketOf[i] as number
    if (b < 0 || !Number.isFinite(e[i])) continue
    ofi[b] = (ofi[b] as number) + (e[i] as number)
    events[b] = (events[b] as number) + 1
  }
  return { start: starts, ofi, events }
}
