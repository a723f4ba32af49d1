import { realizedVolatility, returns } from '@k2/analytics'
import type { Candle, Trade } from '@k2/core'
import { tableFromArrays, tableFromJSON } from 'apache-arrow'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { expectClose, expectValidation } from './research-helpers.js'

const LN_1_1 = 0.09531017980432493 // ln(110/100)
const LN_0_9 = -0.10536051565782628 // ln(99/110) = ln(0.9)

describe('returns', () => {
  it('simple returns of 100 → 110 → 99 are +10 % then −10 %, the first NaN (pandas pct_change)', () => {
    // 110/100 − 1 = 0.1; 99/110 − 1 = 0.9 − 1 = −0.1
    expectClose(returns([100, 110, 99]), [Number.NaN, 0.1, -0.1], 12)
  })

  it('log returns of 100 → 110 → 99 are ln 1.1 and ln 0.9', () => {
    expectClose(returns([100, 110, 99], { kind: 'log' }), [Number.NaN, LN_1_1, LN_0_9], 14)
  })

  it('reads candles (close), trades (price), Float64Array and Arrow tables alike', () => {
    const closes = [100, 110, 99]
    const candles = closes.map((close, i) => ({ start: i * 60_000_000, close }) as unknown as Candle)
    const trades = closes.map((price, i) => ({ ts: i, price, qty: 1 }) as unknown as Trade)
    const want = returns(closes)
    expectClose(returns(candles), want)
    expectClose(returns(trades), want)
    expectClose(returns(Float64Array.from(closes)), want)
    expectClose(returns(tableFromArrays({ start: [0, 1, 2], close: Float64Array.from(closes) })), want)
    expectClose(returns(tableFromArrays({ ts: [0, 1, 2], price: Float64Array.from(closes) })), want)
    expectClose(returns(tableFromArrays({ mid: Float64Array.from(closes) }), { column: 'mid' }), want)
  })

  it('does not fill missing prices: every return touching a null or NaN is NaN', () => {
    // [100, null, 121, NaN, 110]: r1, r2 touch the null; r3, r4 touch the NaN.
    expectClose(returns([100, null, 121, Number.NaN, 110]), [Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN])
    // An Arrow null is missing too, not the 0 stored under it.
    const table = tableFromJSON([{ close: 100 }, { close: null }, { close: 121 }, { close: 133.1 }])
    expectClose(returns(table), [Number.NaN, Number.NaN, Number.NaN, 0.1], 12)
  })

  it('returns an empty array for no prices, and [NaN] for one', () => {
    expect(returns([])).toEqual(new Float64Array(0))
    expectClose(returns([5]), [Number.NaN])
  })

  it('rejects log returns over a price <= 0, and an unknown kind', () => {
    expectValidation(() => returns([1, 0, 2], { kind: 'log' }), /positive prices.*price 1 is 0/)
    expectValidation(() => returns([1, 2], { kind: 'pct' as 'log' }), /kind must be 'simple' or 'log'/)
    expectValidation(() => returns(tableFromArrays({ open: [1, 2] })), /needs a column close or price/)
  })

  it('log returns sum to the log of the total return, simple returns compound to it', () => {
    fc.assert(
      // Prices within 1…1000: a simple return near −100 % keeps few digits in 1 + r, whatever the code.
      fc.property(fc.array(fc.double({ min: 1, max: 1000, noNaN: true }), { minLength: 2, maxLength: 60 }), (prices) => {
        const log = returns(prices, { kind: 'log' }).slice(1)
        const simple = returns(prices).slice(1)
        const total = (prices.at(-1) as number) / (prices[0] as number)
        expect(log.reduce((a, b) => a + b, 0)).toBeCloseTo(Math.log(total), 8)
        expect(simple.reduce((a, b) => a * (1 + b), 1) / total).toBeCloseTo(1, 8)
      }),
    )
  })
})

describe('realizedVolatility', () => {
  it('is sqrt(ln(1.1)² + ln(0.9)²) for 100 → 110 → 99', () => {
    // 0.0953101798² + 0.1053605157² = 0.0090840304 + 0.0111008383 = 0.0201848686; sqrt = 0.1420734621
    expect(realizedVolatility([100, 110, 99])).toBeCloseTo(0.1420734621, 10)
  })

  it('annualizes as sqrt(periods / n · Σ r²)', () => {
    // 365 / 2 · 0.0201848686 = 3.6837385; sqrt = 1.9193067826
    expect(realizedVolatility([100, 110, 99], { annualize: 365 })).toBeCloseTo(1.9193067826, 9)
  })

  it('takes log returns as they are, skipping NaN ones (not counting them as zero)', () => {
    // 0.01² + 0.02² + 0.02² = 0.0009: RV = 0.03; annualized with n = 3: sqrt(300 / 3 · 0.0009) = sqrt(0.09) = 0.3
    const r = [0.01, -0.02, Number.NaN, 0.02]
    expect(realizedVolatility(r, { from: 'returns' })).toBeCloseTo(0.03, 14)
    expect(realizedVolatility(r, { from: 'returns', annualize: 300 })).toBeCloseTo(0.3, 14)
  })

  it('is NaN without a finite return, and rejects a bad annualization', () => {
    expect(realizedVolatility([])).toBeNaN()
    expect(realizedVolatility([100])).toBeNaN()
    expectValidation(() => realizedVolatility([1, 2], { annualize: 0 }), /periods per year/)
  })

  it('from prices equals from their log returns', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1, max: 1e5, noNaN: true }), { minLength: 2, maxLength: 50 }), (prices) => {
        const direct = realizedVolatility(prices)
        const viaReturns = realizedVolatility(returns(prices, { kind: 'log' }), { from: 'returns' })
        expect(direct).toBe(viaReturns)
      }),
    )
  })
})
