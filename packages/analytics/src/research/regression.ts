import { type NumericInput, toFloat64 } from './columns.js'
import { invalid } from './validation.js'

/** An ordinary least-squares fit y = intercept + slope · x. */
export interface LinearFit {
  slope: number
  intercept: number
  /** Coefficient of determination, 1 − SSR / SST, in [0, 1]. */
  r2: number
  /** Pairs used (both values finite). */
  n: number
  /** Standard error of the slope: sqrt(SSR / (n − 2) / Σ (x − x̄)²). */
  slopeStdError: number
  /** slope / slopeStdError: the t-statistic for "slope = 0", with n − 2 degrees of freedom. */
  tStat: number
}

/**
 * OLS of y on x with an intercept: slope = Σ (x − x̄)(y − ȳ) / Σ (x − x̄)², intercept = ȳ − slope · x̄.
 * Pairs where x or y is missing (NaN/null/±Infinity) are dropped. Fewer than 2 pairs, or x constant,
 * give NaN for everything but n; with exactly 2 pairs the fit is exact and the standard error and t
 * are NaN (no degrees of freedom). A constant y gives r² NaN (0/0). x and y must have equal length.
 */
export function linearRegression(x: NumericInput, y: NumericInput): LinearFit {
  const xs = toFloat64(x, 'linearRegression: x')
  const ys = toFloat64(y, 'linearRegression: y')
  if (xs.length !== ys.length) throw invalid(`linearRegression: x has ${xs.length} values but y has ${ys.length}; pass one y per x`)
  let n = 0
  let sx = 0
  let sy = 0
  for (let i = 0; i < xs.length; i++) {
    if (Number.isFinite(xs[i]) && Number.isFinite(ys[i])) {
      n++
      sx += xs[i] as number
      sy += ys[i] as number
    }
  }
  const nan = { slope: Number.NaN, intercept: Number.NaN, r2: Number.NaN, n, slopeStdError: Number.NaN, tStat: Number.NaN }
  if (n < 2) return nan
  const mx = sx / n
  const my = sy / n
  let sxx = 0
  let sxy = 0
  let syy = 0
  for (let i = 0; i < xs.length; i++) {
    const a = xs[i] as number
    const b = ys[i] as number
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue
    sxx += (a - mx) * (a - mx)
    sxy += (a - mx) * (b - my)
    syy += (b - my) * (b - my)
  }
  if (!(sxx > 0)) return nan
  const slope = sxy / sxx
  const intercept = my - slope * mx
  // SSR from the residuals themselves: syy − slope·sxy cancels badly when the fit is nearly perfect.
  let ssr = 0
  for (let i = 0; i < xs.length; i++) {
    const a = xs[i] as number
    const b = ys[i] as number
    if (Number.isFinite(a) && Number.isFinite(b)) ssr += (b - intercept - slope * a) ** 2
  }
  const r2 = syy > 0 ? Math.max(0, Math.min(1, 1 - ssr / syy)) : Number.NaN
  const slopeStdError = n > 2 ? Math.sqrt(ssr / (n - 2) / sxx) : Number.NaN
  return { slope, intercept, r2, n, slopeStdError, tStat: slope / slopeStdError }
}
