import { alignByTime, correlationMatrix } from '@k2/analytics'
import { vectorFromArray } from 'apache-arrow'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { expectClose, expectValidation, MINUTE } from './research-helpers.js'

describe('correlationMatrix', () => {
  it('is 1 for a scaled copy, −1 for a reversed one, 0.8 for a half-shuffled one', () => {
    // x = 1,2,3,4 (deviations −1.5, −0.5, 0.5, 1.5); w = 1,3,2,4 (deviations −1.5, 0.5, −0.5, 1.5):
    // Σ dx·dw = 2.25 − 0.25 − 0.25 + 2.25 = 4; Σ dx² = Σ dw² = 5; r = 4 / 5 = 0.8.
    const { names, matrix, observations, ts } = correlationMatrix({
      x: [1, 2, 3, 4],
      y: Float64Array.of(2, 4, 6, 8),
      z: vectorFromArray([4, 3, 2, 1]),
      w: [1, 3, 2, 4],
    })
    expect(names).toEqual(['x', 'y', 'z', 'w'])
    expectClose(matrix[0] as Float64Array, [1, 1, -1, 0.8], 14)
    expectClose(matrix[3] as Float64Array, [0.8, 0.8, -0.8, 1], 14)
    expect(Array.from(observations[0] as Uint32Array)).toEqual([4, 4, 4, 4])
    expect(ts).toBeUndefined()
  })

  it('uses the rows both series have (pairwise deletion), like pandas', () => {
    // x = 1,2,3,4 and v = 1,NaN,2,4: pairs (1,1), (3,2), (4,4). Means 8/3 and 7/3.
    // dx = −5/3, 1/3, 4/3; dv = −4/3, −1/3, 5/3: Σ dx·dv = (20 − 1 + 20)/9 = 39/9;
    // Σ dx² = (25 + 1 + 16)/9 = 42/9; Σ dv² = (16 + 1 + 25)/9 = 42/9; r = 39/42 = 13/14.
    const { matrix, observations } = correlationMatrix({ x: [1, 2, 3, 4], v: [1, null, 2, 4] })
    expect(matrix[0]?.[1]).toBeCloseTo(13 / 14, 14)
    expect(Array.from(observations[0] as Uint32Array)).toEqual([4, 3])
    expect(Array.from(observations[1] as Uint32Array)).toEqual([3, 3])
  })

  it('is NaN for a constant series (diagonal too) and below minPeriods', () => {
    const { matrix } = correlationMatrix({ flat: [2, 2, 2], x: [1, 2, 3] })
    expectClose(matrix[0] as Float64Array, [Number.NaN, Number.NaN])
    expectClose(matrix[1] as Float64Array, [Number.NaN, 1])
    // 0.1 + 0.1 + 0.1 = 0.30000000000000004, a third of which is not 0.1: still constant, not ±1.
    expect(correlationMatrix({ flat: [0.1, 0.1, 0.1], x: [1, 2, 3] }).matrix[0]?.[1]).toBeNaN()
    expectClose(correlationMatrix({ a: [1, 2, 3], b: [3, 1, 2] }, { minPeriods: 4 }).matrix[0] as Float64Array, [Number.NaN, Number.NaN])
    expect(correlationMatrix({}).matrix).toEqual([])
  })

  it('aligns keyed series by an inner join on time before correlating', () => {
    // a at minutes 0..3, b at minutes 1..4 (given unsorted): common minutes 1, 2, 3.
    // a there = 2, 4, 6; b there = 30, 20, 10: perfectly anticorrelated.
    const a = { ts: [0, MINUTE, 2 * MINUTE, 3 * MINUTE], values: [100, 2, 4, 6] }
    const b = { ts: [4 * MINUTE, 3 * MINUTE, 2 * MINUTE, MINUTE], values: [99, 10, 20, 30] }
    const result = correlationMatrix({ a, b })
    expect(Array.from(result.ts as Float64Array)).toEqual([MINUTE, 2 * MINUTE, 3 * MINUTE])
    expect(result.matrix[0]?.[1]).toBeCloseTo(-1, 14)
  })

  it('rejects series of different lengths, mixed keyed and positional, and duplicate timestamps', () => {
    expectValidation(() => correlationMatrix({ a: [1, 2, 3], b: [1, 2] }), /differ in length \(a: 3, b: 2\).*\{ ts, values \}/)
    expectValidation(() => correlationMatrix({ a: [1, 2], b: { ts: [0, 1], values: [1, 2] } }), /b are keyed.*key them all by time or none/)
    expectValidation(() => correlationMatrix({ a: { ts: [0, 0], values: [1, 2] }, b: { ts: [0], values: [1] } }), /timestamp 0 twice/)
    expectValidation(() => correlationMatrix({ a: [1, 2] }, { minPeriods: 1 }), /minPeriods must be a whole number >= 2/)
  })

  it('is symmetric with a unit diagonal, in [−1, 1], and equals a one-pass Pearson on the complete pairs', () => {
    // Multiples of 1/8 in ±125: exact in binary, so the two formulas differ only by rounding.
    const value = fc.oneof(
      fc.integer({ min: -1000, max: 1000 }).map((v) => v / 8),
      fc.constant(Number.NaN),
    )
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), fc.integer({ min: 1, max: 4 }), fc.infiniteStream(value), (rows, k, stream) => {
        const series: Record<string, number[]> = {}
        const it = stream[Symbol.iterator]()
        for (let s = 0; s < k; s++) series[`s${s}`] = Array.from({ length: rows }, () => it.next().value as number)
        const { matrix, names } = correlationMatrix(series)
        names.forEach((a, i) => {
          names.forEach((b, j) => {
            const r = matrix[i]?.[j] as number
            const direct = onePassPearson(series[a] as number[], series[b] as number[])
            expect(Object.is(r, matrix[j]?.[i])).toBe(true)
            if (Number.isNaN(direct)) expect(r).toBeNaN()
            else {
              expect(Math.abs(r)).toBeLessThanOrEqual(1)
              expect(r).toBeCloseTo(i === j ? 1 : direct, 6)
            }
          })
        })
      }),
    )
  })
})

/** n·Σxy − Σx·Σy over sqrt((n·Σx² − (Σx)²)(n·Σy² − (Σy)²)), on rows where both are finite. */
function onePassPearson(x: number[], y: number[]): number {
  let n = 0
  let sx = 0
  let sy = 0
  let sxx = 0
  let syy = 0
  let sxy = 0
  x.forEach((a, i) => {
    const b = y[i] as number
    if (!Number.isFinite(a) || !Number.isFinite(b)) return
    n++
    sx += a
    sy += b
    sxx += a * a
    syy += b * b
    sxy += a * b
  })
  const vx = n * sxx - sx * sx
  const vy = n * syy - sy * sy
  // Treat a (numerically) constant series as constant, as the two-pass code does exactly.
  if (n < 2 || vx <= 1e-9 * n * sxx || vy <= 1e-9 * n * syy) return Number.NaN
  return (n * sxy - sx * sy) / Math.sqrt(vx * vy)
}

describe('alignByTime', () => {
  it('keeps the timestamps every series has, ascending, and NaN values as they are', () => {
    const aligned = alignByTime({
      binance: { ts: [2, 0, 1], values: [12, 10, Number.NaN] },
      kraken: { ts: [1, 2, 3], values: [21, 22, 23] },
    })
    expect(Array.from(aligned.ts)).toEqual([1, 2])
    expectClose(aligned.values.binance as Float64Array, [Number.NaN, 12])
    expectClose(aligned.values.kraken as Float64Array, [21, 22])
  })

  it('rejects a series whose ts and values differ in length', () => {
    expectValidation(() => alignByTime({ a: { ts: [0, 1], values: [1] } }), /2 timestamps but 1 values/)
  })
})

describe('correlationMatrix precision', () => {
  it('handles tiny and huge magnitudes (no under- or overflow in the denominator)', () => {
    // r is scale-free: 1e-200·(1,2,3) against 1e200·(1,3,2): deviations (−1,0,1) and (−1,1,0): r = 1 / (√2·√2) = 0.5.
    const { matrix } = correlationMatrix({ tiny: [1e-200, 2e-200, 3e-200], huge: [1e200, 3e200, 2e200] })
    expect(matrix[0]?.[1]).toBeCloseTo(0.5, 12)
  })
})
