import type { CandleChecker } from './candle-checker.js'
import { candleRowCheckers, uniqueChecker } from './candle-row-checks.js'
import { checkCoverage } from './coverage-check.js'
import { checkDivergence } from './divergence.js'
import { CHECK_NAMES, type ResolvedOptions } from './options.js'
import { checkPriceJumps } from './price-jump.js'
import type { CheckResult } from './report.js'
import { rollupChecker } from './rollup-check.js'
import type { CandleSource, CoverageSource, TradeSource } from './sources/source.js'
import type { TradeChecker } from './trade-checker.js'
import { duplicateIdChecker, idGapChecker, tsOrderChecker } from './trade-id-checks.js'

/** Checks (1)–(4) in one pass over each (exchange, symbol, source) group of candles. */
export async function runCandleChecks(source: CandleSource, opts: ResolvedOptions): Promise<CheckResult[]> {
  const checkers: CandleChecker[] = [
    ...candleRowCheckers(source.target, opts),
    ...(opts.enabled('candle.unique') ? [uniqueChecker(source.target, opts)] : []),
    ...(opts.enabled('candle.rollup') ? [rollupChecker(source.target, opts)] : []),
  ]
  if (checkers.length === 0) return []
  for await (const { group, rows } of source.groups()) {
    for (const c of checkers) c.begin?.(group)
    for await (const row of rows()) for (const c of checkers) c.observe(row)
    for (const c of checkers) c.end?.()
  }
  return checkers.map((c) => c.finish())
}

/** The trade checks: one pass by id per exchange/symbol, one by time per day, one over bucket prices. */
export async function runTradeChecks(source: TradeSource, opts: ResolvedOptions): Promise<CheckResult[]> {
  const t = source.target
  const byId: TradeChecker[] = [
    ...(opts.enabled('trade.duplicate-id') ? [duplicateIdChecker(t, opts)] : []),
    ...(opts.enabled('trade.id-gap') ? [idGapChecker(t, opts)] : []),
    ...(opts.enabled('trade.ts-order') ? [tsOrderChecker(t, opts)] : []),
  ]
  if (byId.length > 0) {
    for await (const { key, rows } of source.byId()) {
      for (const c of byId) c.begin?.(key)
      for await (const row of rows()) for (const c of byId) c.observe(row)
      for (const c of byId) c.end?.()
    }
  }
  const out = byId.map((c) => c.finish())
  if (opts.enabled('trade.price-jump')) out.push(await checkPriceJumps(source.days(), t, opts))
  if (opts.enabled('trade.cross-exchange'))
    out.push(await checkDivergence(source.bucketPrices(opts.divergenceWidth, opts.divergencePrice), t, opts))
  return out
}

export async function runCoverageCheck(source: CoverageSource, opts: ResolvedOptions): Promise<CheckResult[]> {
  return opts.enabled('coverage.day-complete') ? [await checkCoverage(source.days(), (q) => source.coverage(q), opts)] : []
}

/** Results in the order of CHECK_NAMES, so reports read the same on every target. */
export function inNameOrder(results: readonly CheckResult[]): CheckResult[] {
  return results.slice().sort((a, b) => CHECK_NAMES.indexOf(a.name) - CHECK_NAMES.indexOf(b.name))
}
