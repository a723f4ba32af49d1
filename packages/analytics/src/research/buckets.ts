import { bucketStart, type Micros, parseTimeframe, type Timeframe } from '@k2/core'

/** How rows are grouped in time: UTC buckets of `timeframe`, aligned to the epoch shifted by `offset` µs (as candles are). */
export interface BucketOptions {
  timeframe: Timeframe
  offset?: Micros
}

/** The buckets rows fall in: their starts, ascending, and each row's bucket index (−1 for a row without a finite ts). */
export interface BucketIndex {
  starts: Float64Array
  bucketOf: Int32Array
}

/** Groups rows by bucket; rows need not be sorted. Only buckets holding a row exist (empty ones are skipped). */
export function bucketIndex(ts: Float64Array, options: BucketOptions): BucketIndex {
  const tf = parseTimeframe(options.timeframe)
  const offset = options.offset ?? 0
  const rowStarts = new Float64Array(ts.length)
  const seen = new Set<number>()
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i] as number
    rowStarts[i] = Number.isFinite(t) ? bucketStart(t, tf, offset) : Number.NaN
    if (Number.isFinite(t)) seen.add(rowStarts[i] as number)
  }
  const starts = Float64Array.from(seen).sort()
  const position = new Map<number, number>()
  for (let k = 0; k < starts.length; k++) position.set(starts[k] as number, k)
  const bucketOf = new Int32Array(ts.length)
  for (let i = 0; i < ts.length; i++) bucketOf[i] = position.get(rowStarts[i] as number) ?? -1
  return { starts, bucketOf }
}
