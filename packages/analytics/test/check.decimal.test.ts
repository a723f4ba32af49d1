import { describe, expect, it } from 'vitest'
import { addDecimal, compareDecimal, decimalOfDouble, formatDecimal, parseDecimal, toDouble, ZERO } from '../src/checks/decimal.js'

const sum = (xs: number[]) => xs.reduce((acc, x) => addDecimal(acc, decimalOfDouble(x) ?? ZERO), ZERO)

describe('exact decimal sums (the volumes candle.rollup and candle.buy-volume compare)', () => {
  it('sums the shortest decimals of doubles exactly and rounds once', () => {
    expect(formatDecimal(sum([0.1, 0.2]))).toBe('0.3')
    expect(toDouble(sum([0.1, 0.2]))).toBe(0.3)
    expect(formatDecimal(sum([1e-7, 1e21, 2.5]))).toBe('1000000000000000000002.5000001')
    expect(formatDecimal(sum([-0.25, 0.25]))).toBe('0')
  })

  it('parses DuckDB and exponent forms, and refuses what is not a decimal', () => {
    expect(formatDecimal(parseDecimal('0.300') ?? ZERO)).toBe('0.3')
    expect(formatDecimal(parseDecimal('-1.5e-3') ?? ZERO)).toBe('-0.0015')
    expect(formatDecimal(parseDecimal('12E2') ?? ZERO)).toBe('1200')
    for (const bad of ['', 'abc', '1.2.3', '0x10', 'NaN']) expect(parseDecimal(bad)).toBeUndefined()
    expect(decimalOfDouble(Number.NaN)).toBeUndefined()
    expect(decimalOfDouble(Number.POSITIVE_INFINITY)).toBeUndefined()
  })

  it('compares across scales', () => {
    const d = (s: string) => parseDecimal(s) ?? ZERO
    expect(compareDecimal(d('0.75'), d('0.750000000000000000001'))).toBe(-1)
    expect(compareDecimal(d('0.750'), d('0.75'))).toBe(0)
    expect(compareDecimal(d('2'), d('1.999'))).toBe(1)
  })
})
