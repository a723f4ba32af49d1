import type { ResolvedOptions } from './options.js'
import type { CheckResult } from './report.js'
import { Tally } from './report.js'
import type { TradeKey, TradeRow } from './trade-row.js'

/** One exchange/symbol/UTC day of trades, readable twice (statistics, then offences), ordered by ts then id. */
export interface TradeDay {
  key: TradeKey
  day: number
  rows: () => AsyncIterable<TradeRow> | Iterable<TradeRow>
}

/** Scales a median absolute deviation to a standard deviation for normally distributed returns. */
const MAD_TO_SD = 1.4826

function median(values: Float64Array): number {
  if (values.length === 0) return Number.NaN
  const sorted = values.slice().sort()
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

async function logReturns(day: TradeDay): Promise<Float64Array> {
  let out = new Float64Array(1024)
  let n = 0
  let prev = Number.NaN
  for await (const t of day.rows()) {
    if (!Number.isNaN(prev)) {
      if (n === out.length) {
        const grown = new Float64Array(n * 2)
        grown.set(out)
        out = grown
      }
      out[n++] = Math.log(t.price / prev)
    }
    prev = t.price
  }
  return out.subarray(0, n)
}

/**
 * `trade.price-jump`: a log return between consecutive trades (ts, then id) further from the day's
 * median than `deviations` × 1.4826 × MAD, and at least `minReturn` in size (so a day whose trades
 * mostly repeat a price, MAD 0, does not flag every tick). The scale is per exchange, symbol and UTC
 * day; memory holds one such day's returns. A lone bad print — a jump there and straight back —
 * counts once, as that print.
 */
export async function checkPriceJumps(
  days: AsyncIterable<TradeDay> | Iterable<TradeDay>,
  target: string,
  opts: ResolvedOptions,
): Promise<CheckResult> {
  const tally = new Tally('trade.price-jump', target, 'rows', opts.examples)
  for await (const day of days) {
    const returns = await logReturns(day)
    tally.checked += returns.length
    const mid = median(returns)
    const scale = MAD_TO_SD * median(returns.map((r) => Math.abs(r - mid)))
    const jumps = (r: number) => Math.abs(r - mid) > opts.jumpDeviations * scale && Math.abs(r) >= opts.jumpMinReturn
    let prev: TradeRow | undefined
    let i = 0
    let spike: { row: TradeRow; r: number; previousPrice: number } | undefined
    const report = (s: { row: TradeRow; r: number; previousPrice: number }) =>
      tally.offend({
        ...(s.row.raw as object),
        previousPrice: s.previousPrice,
        logReturn: s.r,
        deviations: scale > 0 ? Math.abs(s.r - mid) / scale : null,
      })
    for await (const t of day.rows()) {
      if (prev) {
        const r = returns[i++] as number
        if (jumps(r)) {
          // the way back from a lone print is not a second jump
          if (spike && Math.sign(r) === -Math.sign(spike.r)) {
            report(spike)
            spike = undefined
          } else {
            if (spike) report(spike)
            spike = { row: t, r, previousPrice: prev.price }
          }
        } else if (spike) {
          report(spike)
          spike = undefined
        }
      }
      prev = t
    }
    if (spike) report(spike)
  }
  return tally.result(`|log return − median| ≤ ${opts.jumpDeviations} × 1.4826 × MAD per day, or |log return| < ${opts.jumpMinReturn}`)
}
