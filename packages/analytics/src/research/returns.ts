import { type PriceInput, priceSeries } from './price-series.js'
import { invalid } from './validation.js'

export type ReturnKind = 'simple' | 'log'

export interface ReturnsOptions {
  /** `simple`: p[i] / p[i−1] − 1 (default, like pandas `pct_change`); `log`: ln(p[i] / p[i−1]). */
  kind?: ReturnKind
  /** Column of a table or of objects to read; default `close`, else `price`. */
  column?: string
}

/**
 * Period-over-period returns of a price series, as a `Float64Array` of the **same length** as the
 * input, like pandas `pct_change(fill_method=None)`: element 0 is NaN (there is no previous price),
 * so the result lines up row by row with the prices and their timestamps.
 *
 * - simple: r[i] = p[i] / p[i−1] − 1 (a fraction: 0.01 is +1 %)
 * - log:    r[i] = ln(p[i] / p[i−1]) (sums over time: Σ r = ln(p[last] / p[first]))
 *
 * Missing prices (NaN, null, Arrow nulls) are not filled: each return that touches one is NaN.
 * Empty input gives an empty array. Log returns need positive prices: a price ≤ 0 is a VALIDATION
 * error (a simple return over a zero price is ±Infinity, as in pandas).
 *
 * @example
 * returns([100, 110, 99])                  // Float64Array [NaN, 0.1, -0.1]
 * returns(candles, { kind: 'log' })        // from each candle's close
 */
export function returns(prices: PriceInput, options: ReturnsOptions = {}): Float64Array {
  const { kind = 'simple', column } = options
  if (kind !== 'simple' && kind !== 'log') throw invalid(`returns: kind must be 'simple' or 'log', got ${String(kind)}`)
  const p = priceSeries(prices, column, 'returns')
  const out = new Float64Array(p.length)
  if (p.length > 0) out[0] = Number.NaN
  if (kind === 'log') {
    for (let i = 0; i < p.length; i++) {
      if ((p[i] as number) <= 0) {
        throw invalid(`returns: log returns need positive prices, but price ${i} is ${p[i]}; drop or fix it, or use kind 'simple'`, {
          row: i,
        })
      }
    }
    for (let i = 1; i < p.length; i++) out[i] = Math.log((p[i] as number) / (p[i - 1] as number))
  } else {
    for (let i = 1; i < p.length; i++) out[i] = (p[i] as number) / (p[i - 1] as number) - 1
  }
  return out
}
