import { ExactSum } from '@k2/analytics'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { refDecimal, refSum } from './candles-reference.js'

/** Random decimal strings: up to 30 digits, up to 25 decimals, either sign. */
const decimalString = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 25 }))
  .map(([neg, m, s]) => {
    const digits = m.toString().padStart(s + 1, '0')
    const text = s === 0 ? digits : `${digits.slice(0, -s)}.${digits.slice(-s)}`
    return neg && m !== 0n ? `-${text}` : text
  })

/** Doubles as they come: any finite value, and "price-like" ones with few decimals. */
const anyDouble = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -(10 ** 9), max: 10 ** 9 }).chain((n) => fc.integer({ min: 0, max: 12 }).map((s) => n / 10 ** s)),
)

function sumOf(terms: Array<number | string>): ExactSum {
  const s = new ExactSum()
  for (const t of terms) s.add(t)
  return s
}

describe('ExactSum', () => {
  it('adds shortest decimals, not binary values: 0.1 + 0.2 is 0.3', () => {
    expect(sumOf([0.1, 0.2]).value()).toBe(0.3)
    expect(0.1 + 0.2).not.toBe(0.3) // why the exact sum exists
    expect(sumOf([0.1, 0.2]).exact()).toBe('0.3')
  })

  it('prints plain decimals without trailing zeros', () => {
    expect(sumOf([]).exact()).toBe('0')
    expect(sumOf([12.25, 0.25]).exact()).toBe('12.5')
    expect(sumOf([-0.1, -0.2]).exact()).toBe('-0.3')
    expect(sumOf([1e21, 1]).exact()).toBe('1000000000000000000001')
    expect(sumOf([1e-7]).exact()).toBe('0.0000001')
  })

  it('equals a BigInt reference on random decimal strings, rounded once', () => {
    fc.assert(
      fc.property(fc.array(decimalString, { maxLength: 40 }), (terms) => {
        const expected = refSum(terms.map(refDecimal))
        const s = sumOf(terms)
        expect(s.exact()).toBe(expected)
        expect(s.value()).toBe(Number(expected) === 0 ? 0 : Number(expected))
      }),
      { numRuns: 500 },
    )
  })

  it('equals a BigInt reference on arbitrary doubles (each read as String(x))', () => {
    fc.assert(
      fc.property(fc.array(anyDouble, { maxLength: 40 }), (terms) => {
        const expected = refSum(terms.map(refDecimal))
        expect(sumOf(terms).exact()).toBe(expected)
        expect(sumOf(terms).value()).toBe(Number(expected) === 0 ? 0 : Number(expected))
      }),
      { numRuns: 1000 },
    )
  })

  it('does not depend on order or grouping', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(anyDouble, decimalString), { minLength: 1, maxLength: 30 }), fc.nat(), (terms, cut) => {
        const whole = sumOf(terms)
        const reversed = sumOf([...terms].reverse())
        const at = cut % terms.length
        const grouped = sumOf(terms.slice(0, at)).merge(sumOf(terms.slice(at)))
        expect(reversed.exact()).toBe(whole.exact())
        expect(grouped.exact()).toBe(whole.exact())
        expect(grouped.value()).toBe(whole.value())
      }),
      { numRuns: 500 },
    )
  })

  it('sums products of prices and quantities exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(anyDouble, anyDouble), { maxLength: 20 }), (pairs) => {
        const s = new ExactSum()
        for (const [p, q] of pairs) s.addProduct(p, q)
        const expected = refSum(
          pairs.map(([p, q]) => {
            const a = refDecimal(p)
            const b = refDecimal(q)
            return { m: a.m * b.m, s: a.s + b.s }
          }),
        )
        expect(s.exact()).toBe(expected)
      }),
      { numRuns: 500 },
    )
  })

  it('stays exact past 2^53 (the BigInt fallback)', () => {
    const s = sumOf(Array.from({ length: 3000 }, () => 9_007_199_254_740.99))
    expect(s.exact()).toBe(refSum(Array.from({ length: 3000 }, () => refDecimal(9_007_199_254_740.99))))
  })

  it('rejects NaN, infinities and non-decimal strings with VALIDATION', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 'abc', '1.2.3', ''])
      expect(() => new ExactSum().add(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION' }))
  })
})
