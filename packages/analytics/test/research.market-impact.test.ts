import { correlationMatrix, linearRegression, marketImpact } from '@k2/analytics'
import { tableFromArrays } from 'apache-arrow'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { expectClose, expectValidation, MINUTE } from './research-helpers.js'

describe('linearRegression', () => {
  it('fits y = 2,4,5,8 on x = 1,2,3,4 (worked by hand)', () => {
    // x̄ = 2.5, ȳ = 4.75; dx = −1.5, −0.5, 0.5, 1.5; dy = −2.75, −0.75, 0.25, 3.25.
    // Sxy = 4.125 + 0.375 + 0.125 + 4.875 = 9.5; Sxx = 5: slope = 1.9; intercept = 4.75 − 1.9·2.5 = 0.
    // Residuals 0.1, 0.2, −0.7, 0.4: SSR = 0.7; Syy = 18.75: r² = 1 − 0.7/18.75 = 0.962666…
    // SE = sqrt(0.7 / 2 / 5) = sqrt(0.07) = 0.264575…; t = 1.9 / 0.264575 = 7.181324…
    const fit = linearRegression([1, 2, 3, 4], [2, 4, 5, 8])
    expect(fit.slope).toBeCloseTo(1.9, 14)
    expect(fit.intercept).toBeCloseTo(0, 14)
    expect(fit.r2).toBeCloseTo(0.9626666667, 10)
    expect(fit.slopeStdError).toBeCloseTo(0.2645751311, 10)
    expect(fit.tStat).toBeCloseTo(7.181324987, 8)
    expect(fit.n).toBe(4)
  })

  it('drops pairs with a missing value, and is NaN without enough pairs or spread in x', () => {
    // The NaN and null pairs go, leaving the hand case above.
    expect(linearRegression([1, Number.NaN, 2, 3, 4, 9], [2, 1, 4, 5, 8, null] as number[]).slope).toBeCloseTo(1.9, 14)
    const one = linearRegression([1], [2])
    expect([one.slope, one.n]).toEqual([Number.NaN, 1])
    expect(linearRegression([3, 3, 3], [1, 2, 3]).slope).toBeNaN()
    // Two points: an exact line, but no degrees of freedom left for a standard error.
    const two = linearRegression([0, 1], [1, 3])
    expect([two.slope, two.intercept, two.r2]).toEqual([2, 1, 1])
    expect(two.tStat).toBeNaN()
  })

  it('rejects x and y of different lengths', () => {
    expectValidation(() => linearRegression([1, 2], [1]), /x has 2 values but y has 1/)
  })

  it('slope = r · sd(y) / sd(x) and r² = r², with r from correlationMatrix', () => {
    const xs = fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 3, maxLength: 40 })
    fc.assert(
      fc.property(xs, xs, (x, yRaw) => {
        const y = yRaw.slice(0, x.length)
        fc.pre(y.length === x.length && new Set(x).size > 1 && new Set(y).size > 1)
        const fit = linearRegression(x, y)
        const r = correlationMatrix({ x, y }).matrix[0]?.[1] as number
        const sd = (v: number[]) => {
          const m = v.reduce((a, b) => a + b, 0) / v.length
          return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0))
        }
        expect(fit.slope).toBeCloseTo((r * sd(y)) / sd(x), 8)
        expect(fit.r2).toBeCloseTo(r * r, 10)
      }),
    )
  })
})

describe('marketImpact', () => {
  // Minute 0: buy 1 @ 100 (close 100). Minute 1: buy 3 @ 101, sell 1 @ 102 (signed +2, close 102).
  // Minute 2: no trades. Minute 3: sell 2 @ 101 (−2, close 101). Minute 4: buy 4 @ 103, unknown 5 @ 104 (+4, close 104).
  const trades = [
    { ts: 0, price: 100, qty: 1, side: 'buy' as const },
    { ts: MINUTE, price: 101, qty: 3, side: 'buy' as const },
    { ts: MINUTE + 5, price: 102, qty: 1, side: 'sell' as const },
    { ts: 3 * MINUTE, price: 101, qty: 2, side: 'sell' as const },
    { ts: 4 * MINUTE, price: 103, qty: 4, side: 'buy' as const },
    { ts: 4 * MINUTE + 1, price: 104, qty: 5, side: 'unknown' as const },
  ]

  it('regresses each bucket’s log return (close over the previous close) on its signed volume', () => {
    const r = marketImpact(trades, { timeframe: '1m' })
    // Minute 3 returns against minute 1's close: the empty minute 2 is bridged, not dropped.
    expect(Array.from(r.start)).toEqual([MINUTE, 3 * MINUTE, 4 * MINUTE])
    expect(Array.from(r.signedVolume)).toEqual([2, -2, 4])
    expectClose(r.logReturn, [Math.log(102 / 100), Math.log(101 / 102), Math.log(104 / 101)], 15)
    const fit = linearRegression([2, -2, 4], [Math.log(1.02), Math.log(101 / 102), Math.log(104 / 101)])
    expect(r.lambda).toBe(fit.slope)
    expect(r.n).toBe(3)
    expect(r.lambda).toBeGreaterThan(0)
  })

  it('recovers λ from candles whose closes move exactly λ · signed volume in log terms', () => {
    // λ = 0.001 per unit: signed = 2·buy − volume = 4, −6, 2, 10, −2; closes c[b] = c[b−1]·exp(0.001·signed).
    const buy = [5, 7, 2, 6, 10, 4]
    const volume = [10, 10, 10, 10, 10, 10]
    let close = 50_000
    const candles = buy.map((b, i) => {
      if (i > 0) close *= Math.exp(0.001 * (2 * b - (volume[i] as number)))
      return { start: i * MINUTE, close, volume: volume[i] as number, buyVolume: b }
    })
    const r = marketImpact(candles)
    expect(Array.from(r.signedVolume)).toEqual([4, -6, 2, 10, -2])
    expect(r.lambda).toBeCloseTo(0.001, 12)
    expect(r.intercept).toBeCloseTo(0, 12)
    expect(r.r2).toBeCloseTo(1, 10)
    // The same from a lake-style Arrow table (buy_volume).
    const table = tableFromArrays({
      start: Float64Array.from(candles, (c) => c.start),
      close: Float64Array.from(candles, (c) => c.close),
      volume: Float64Array.from(volume),
      buy_volume: Float64Array.from(buy),
    })
    expect(marketImpact(table).lambda).toBe(r.lambda)
  })

  it('needs a timeframe for trades and sorted input', () => {
    expectValidation(() => marketImpact(trades), /trades need a bucket width/)
    expectValidation(() => marketImpact([...trades].reverse(), { timeframe: '1m' }), /sorted by time/)
    expect(marketImpact([], { timeframe: '1m' }).n).toBe(0)
  })
})
