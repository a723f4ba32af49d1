import type { ResolvedOptions } from './options.js'
import type { CheckResult } from './report.js'
import { Tally } from './report.js'

/** One exchange's price of a symbol in one bucket (its median or last trade price). */
export interface BucketPrice {
  symbol: string
  bucket: number
  exchange: string
  price: number
}

/**
 * `trade.cross-exchange`: in each bucket where two or more exchanges traded a symbol, the spread of
 * their prices, (max − min) / median, stays within the tolerance. `prices` arrive ordered by
 * symbol, then bucket, so memory holds one bucket.
 */
export async function checkDivergence(
  prices: AsyncIterable<BucketPrice> | Iterable<BucketPrice>,
  target: string,
  opts: ResolvedOptions,
): Promise<CheckResult> {
  const tally = new Tally('trade.cross-exchange', target, 'buckets', opts.examples)
  let group: BucketPrice[] = []
  const flush = () => {
    if (group.length >= 2) {
      tally.checked++
      const ps = group.map((g) => g.price).sort((a, b) => a - b)
      const mid = ps.length >> 1
      const ref = ps.length % 2 === 1 ? (ps[mid] as number) : ((ps[mid - 1] as number) + (ps[mid] as number)) / 2
      const spread = ((ps.at(-1) as number) - (ps[0] as number)) / ref
      if (!(spread <= opts.divergenceTolerance)) {
        const first = group[0] as BucketPrice
        tally.offend({ symbol: first.symbol, bucket: first.bucket, spread, ...Object.fromEntries(group.map((g) => [g.exchange, g.price])) })
      }
    }
    group = []
  }
  for await (const p of prices) {
    const first = group[0]
    if (first && (first.symbol !== p.symbol || first.bucket !== p.bucket)) flush()
    group.push(p)
  }
  flush()
  return tally.result(`per bucket, (max − min) / median of the exchanges' ${opts.divergencePrice} prices ≤ ${opts.divergenceTolerance}`)
}
