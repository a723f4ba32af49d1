import { alignByTime, isKeyedSeries, type KeyedSeries } from './align.js'
import { type NumericInput, toFloat64 } from './columns.js'
import { invalid } from './validation.js'

export interface CorrelationOptions {
  /** Fewest pairwise-complete observations for a coefficient; fewer gives NaN. Default 2 (the least Pearson needs). */
  minPeriods?: number
}

/** A correlation matrix: `matrix[i][j]` is the Pearson correlation of `names[i]` and `names[j]`. */
export interface CorrelationMatrix {
  names: string[]
  /** Rows of the symmetric matrix, in `names` order. */
  matrix: Float64Array[]
  /** `observations[i][j]`: how many rows both series had finite values in. */
  observations: Uint32Array[]
  /** The common timestamps the keyed series were joined on (undefined for positional series). */
  ts: Float64Array | undefined
}

/** Pearson correlation over the rows where both x and y are finite (two-pass, for accuracy). */
function pearson(x: Float64Array, y: Float64Array, minPeriods: number): { r: number; n: number } {
  let n = 0
  let sx = 0
  let sy = 0
  for (let i = 0; i < x.length; i++) {
    const a = x[i] as number
    const b = y[i] as number
    if (Number.isFinite(a) && Number.isFinite(b)) {
      n++
      sx += a
      sy += b
    }
  }
  if (n < minPeriods) return { r: Number.NaN, n }
  // The means, refined by the mean residual: a constant series then has deviations exactly 0
  // (0.1 three times sums to 0.30000000000000004, whose third is not 0.1).
  let mx = sx / n
  let my = sy / n
  let rx = 0
  let ry = 0
  for (let i = 0; i < x.length; i++) {
    const a = x[i] as number
    const b = y[i] as number
    if (Number.isFinite(a) && Number.isFinite(b)) {
      rx += a - mx
      ry += b - my
    }
  }
  mx += rx / n
  my += ry / n
  // Deviations are scaled by their largest magnitude first: r does not depend on scale, and
  // squares of 1e-200 (or 1e200) would underflow (overflow) otherwise.
  let ax = 0
  let ay = 0
  for (let i = 0; i < x.length; i++) {
    const a = x[i] as number
    const b = y[i] as number
    if (Number.isFinite(a) && Number.isFinite(b)) {
      ax = Math.max(ax, Math.abs(a - mx))
      ay = Math.max(ay, Math.abs(b - my))
    }
  }
  let sxx = 0
  let syy = 0
  let sxy = 0
  for (let i = 0; i < x.length; i++) {
    const a = x[i] as number
    const b = y[i] as number
    if (Number.isFinite(a) && Number.isFinite(b)) {
      const dx = (a - mx) / ax
      const dy = (b - my) / ay
      sxx += dx * dx
      syy += dy * dy
      sxy += dx * dy
    }
  }
  const r = sxy / Math.sqrt(sxx * syy) // 0/0 = NaN for a constant series (ax or ay is 0)
  return { r: Number.isFinite(r) ? Math.max(-1, Math.min(1, r)) : Number.NaN, n }
}

/**
 * Pearson correlation matrix of several series (symbols, exchanges, timeframes):
 * r(x, y) = Σ (x − x̄)(y − ȳ) / sqrt(Σ (x − x̄)² · Σ (y − ȳ)²), dimensionless in [−1, 1].
 *
 * - **Positional** series (arrays, typed arrays, Arrow vectors) are paired row by row and must have
 *   equal lengths (VALIDATION otherwise).
 * - **Keyed** series `{ ts, values }` are first aligned by `alignByTime`: an inner join on the
 *   timestamps every series has. Mixing the two kinds is a VALIDATION error. To correlate across
 *   timeframes, pass e.g. 1m and 5m returns keyed by bucket start: they meet on the 5m starts.
 * - **Missing values:** like pandas `DataFrame.corr`, each pair uses the rows where both values are
 *   finite (pairwise deletion), so different cells may rest on different rows; `observations` says
 *   how many. Fewer than `minPeriods` rows, or a constant series, gives NaN (also on the diagonal,
 *   which is otherwise exactly 1).
 *
 * Pass returns, not prices: prices trend, and trending series correlate whatever their relation.
 *
 * @example
 * correlationMatrix({ btc: returns(btc), eth: returns(eth) }).matrix[0][1]
 */
export function correlationMatrix(series: Record<string, NumericInput | KeyedSeries>, options: CorrelationOptions = {}): CorrelationMatrix {
  const { minPeriods = 2 } = options
  if (!Number.isInteger(minPeriods) || minPeriods < 2)
    throw invalid(`correlationMatrix: minPeriods must be a whole number >= 2, got ${minPeriods}`)
  const names = Object.keys(series)
  const keyed = names.filter((n) => isKeyedSeries(series[n]))
  if (keyed.length > 0 && keyed.length < names.length) {
    throw invalid(
      `correlationMatrix: ${keyed.join(', ')} are keyed { ts, values } but the others are plain arrays; key them all by time or none`,
    )
  }
  let columns: Float64Array[]
  let ts: Float64Array | undefined
  if (keyed.length > 0) {
    const aligned = alignByTime(series as Record<string, KeyedSeries>)
    columns = names.map((n) => aligned.values[n] as Float64Array)
    ts = aligned.ts
  } else {
    columns = names.map((n) => toFloat64(series[n] as NumericInput, `correlationMatrix: ${n}`))
    const lengths = columns.map((c) => c.length)
    if (new Set(lengths).size > 1) {
      const listed = names.map((n, i) => `${n}: ${lengths[i]}`).join(', ')
      throw invalid(`correlationMatrix: series differ in length (${listed}); trim them, or pass { ts, values } to align them by time`)
    }
  }
  const k = names.length
  const matrix = names.map(() => new Float64Array(k))
  const observations = names.map(() => new Uint32Array(k))
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      const { r, n } = pearson(columns[i] as Float64Array, columns[j] as Float64Array, minPeriods)
      const value = i === j && Number.isFinite(r) ? 1 : r
      ;(matrix[i] as Float64Array)[j] = value
      ;(matrix[j] as Float64Array)[i] = value
      ;(observations[i] as Uint32Array)[j] = n
      ;(observations[j] as Uint32Array)[i] = n
    }
  }
  return { names, matrix, observations, ts }
}
