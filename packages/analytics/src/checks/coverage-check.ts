import type { CoverageReport } from '@k2/store'
import type { ResolvedOptions } from './options.js'
import type { CheckResult } from './report.js'
import { Tally } from './report.js'
import type { TradeKey } from './trade-row.js'

export interface TradeDayKey extends TradeKey {
  /** The UTC day, `YYYY-MM-DD`. */
  day: string
}

/**
 * `coverage.day-complete`: every exchange/symbol/day that has trades was subscribed the whole day
 * with every gap healed (`lake.coverage()`, from bronze.coverage). A day with no coverage rows at
 * all (trades imported without `pipe`) is not complete: nothing says trades are not missing.
 */
export async function checkCoverage(
  days: AsyncIterable<TradeDayKey> | Iterable<TradeDayKey>,
  coverage: (q: TradeDayKey) => Promise<CoverageReport>,
  opts: ResolvedOptions,
): Promise<CheckResult> {
  const tally = new Tally('coverage.day-complete', 'bronze.coverage', 'days', opts.examples)
  for await (const d of days) {
    tally.checked++
    const r = await coverage(d)
    if (r.complete) continue
    const unhealed = r.gaps.filter((g) => g.state !== 'healed')
    tally.offend({
      exchange: r.exchange,
      symbol: r.symbol,
      day: r.day,
      uncoveredMicros: r.uncovered.reduce((sum, [a, b]) => sum + (b - a), 0),
      uncovered: r.uncovered.length,
      unhealedGaps: unhealed.length,
      gaps: unhealed.map((g) => `${g.fromId}–${g.toId} ${g.state}`).join(', '),
    })
  }
  return tally.result('each exchange/symbol/day with trades is subscribed all day with every gap healed')
}
