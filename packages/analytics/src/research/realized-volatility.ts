import type { NumericInput } from './columns.js'
import { type PriceInput, priceSeries } from './price-series.js'
import { returns } from './returns.js'
import { invalid } from './validation.js'

export interface RealizedVolatilityOptions {
  /** What the input holds: `prices` (default; log returns are taken first) or `returns` (already log returns). */
  from?: 'prices' | 'returns'
  /** Periods per year (e.g. 525 600 for 1m candles, 365 for daily crypto, 252 for daily equities): annualizes. */
  annualize?: number
  /** Column of a table or of objects to read; default `close`, else `price`. */
  column?: string
}

/**
 * Realized volatility of log returns r (a fraction, not %):
 *
 * - plain:      RV = sqrt(Σ r²)                      (the volatility over the whole sample)
 * - annualized: RV = sqrt(annualize / n · Σ r²)      (mean squared return scaled to a year)
 *
 * n counts the finite returns: NaN and null returns (and so the first return of a price series) are
 * skipped, not treated as zero. No finite return gives NaN. The mean is not subtracted (the usual
 * high-frequency convention: over short periods it is negligible and poorly estimated).
 *
 * @example
 * realizedVolatility([100, 110, 99])                          // sqrt(ln(1.1)² + ln(0.9)²) ≈ 0.1411
 * realizedVolatility(candles1m, { annualize: 525_600 })       // annualized from 1-minute closes
 */
export function realizedVolatility(input: PriceInput | NumericInput, options: RealizedVolatilityOptions = {}): number {
  const { from = 'prices', annualize, column } = options
  if (annualize !== undefined && !(Number.isFinite(annualize) && annualize > 0)) {
    throw invalid(`realizedVolatility: annualize must be the number of periods per year (> 0), got ${annualize}`)
  }
  if (from !== 'prices' && from !== 'returns') throw invalid(`realizedVolatility: from must be 'prices' or 'returns', got ${String(from)}`)
  const r =
    from === 'prices' ? returns(input, { kind: 'log', ...(column ? { column } : {}) }) : priceSeries(input, column, 'realizedVolatility')
  let sumSquares = 0
  let n = 0
  for (const x of r) {
    if (Number.isFinite(x)) {
      sumSquares += x * x
      n++
    }
  }
  if (n === 0) return Number.NaN
  return annualize === undefined ? Math.sqrt(sumSquares) : Math.sqrt((annualize / n) * sumSquares)
}
