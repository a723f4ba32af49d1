import { reconcileExchanges, relativeDifference } from '@k2/analytics'
import { tableFromArrays } from 'apache-arrow'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { expectValidation, MINUTE } from './research-helpers.js'

const candle = (exchange: string, minute: number, close: number, volume: number) => ({
  exchange,
  symbol: 'BTC-USDT',
  timeframe: '1m',
  start: minute * MINUTE,
  close,
  volume,
})

// Binance has minutes 0, 1, 2, 4; Kraken has 0, 1, 3, 4.
const binance = [candle('binance', 0, 100, 10), candle('binance', 1, 101, 10), candle('binance', 2, 102, 10), candle('binance', 4, 104, 10)]
const kraken = [
  candle('kraken', 0, 100, 10),
  candle('kraken', 1, 101.2, 30),
  candle('kraken', 3, 103, 5),
  candle('kraken', 4, 104.05, 10.5),
]

describe('reconcileExchanges', () => {
  it('reports missing minutes on each side and divergences beyond the tolerances', () => {
    // Minute 1 close: (101 − 101.2) / 101.1 = −0.0019782 → beyond 0.001: reported.
    // Minute 1 volume: (10 − 30) / 20 = −1 → exactly the tolerance 1, not beyond: not reported.
    // Minute 4 close: (104 − 104.05) / 104.025 = −0.00048066 → within. Volume (10 − 10.5) / 10.25 = −0.04878.
    const r = reconcileExchanges(binance, kraken)
    expect(r.ok).toBe(false)
    expect([r.left, r.right, r.symbol, r.timeframe, r.matched]).toEqual(['binance', 'kraken', 'BTC-USDT', '1m', 3])
    expect(Array.from(r.missingLeft)).toEqual([3 * MINUTE])
    expect(Array.from(r.missingRight)).toEqual([2 * MINUTE])
    expect(Array.from(r.missingBoth)).toEqual([])
    expect(r.priceDivergences).toHaveLength(1)
    expect(r.priceDivergences[0]?.start).toBe(MINUTE)
    expect(r.priceDivergences[0]?.relative).toBeCloseTo(-0.0019782393669634, 14)
    expect(r.volumeDivergences).toEqual([])
    expect(r.maxPriceDivergence).toBeCloseTo(0.0019782393669634, 14)
    expect(r.maxVolumeDivergence).toBe(1)
  })

  it('flags the volume once the tolerance is tighter, and passes with loose tolerances on matching minutes', () => {
    const r = reconcileExchanges(binance, kraken, { volumeTolerance: 0.5 })
    expect(r.volumeDivergences.map((d) => [d.start, d.left, d.right, d.relative])).toEqual([[MINUTE, 10, 30, -1]])
    const same = reconcileExchanges(binance.slice(0, 2), kraken.slice(0, 2), { priceTolerance: 0.01, volumeTolerance: 2 })
    expect(same.ok).toBe(true)
  })

  it('reports minutes neither side has, within the span or an expected range', () => {
    const left = [candle('binance', 0, 1, 1), candle('binance', 3, 1, 1)]
    const right = [candle('kraken', 0, 1, 1), candle('kraken', 3, 1, 1)]
    expect(Array.from(reconcileExchanges(left, right).missingBoth)).toEqual([MINUTE, 2 * MINUTE])
    // Expected [0, 6 min): also minutes 4 and 5; candles outside the range are ignored.
    const r = reconcileExchanges([...left, candle('binance', 9, 1, 1)], right, { expected: { from: 0, to: 6 * MINUTE } })
    expect(Array.from(r.missingBoth)).toEqual([MINUTE, 2 * MINUTE, 4 * MINUTE, 5 * MINUTE])
    expect(Array.from(r.missingRight)).toEqual([])
    // ISO times work for the range too.
    const iso = reconcileExchanges(left, right, { expected: { from: '1970-01-01T00:00:00Z', to: '1970-01-01T00:04:00Z' } })
    expect(Array.from(iso.missingBoth)).toEqual([MINUTE, 2 * MINUTE])
  })

  it('reads Arrow tables with the lake columns, and counts a candle without a close as missing', () => {
    const table = tableFromArrays({
      exchange: ['kraken', 'kraken', 'kraken'],
      symbol: ['BTC-USDT', 'BTC-USDT', 'BTC-USDT'],
      timeframe: ['1m', '1m', '1m'],
      start: Float64Array.of(0, MINUTE, 2 * MINUTE),
      close: Float64Array.of(100, Number.NaN, 102),
      volume: Float64Array.of(10, 0, 10),
    })
    const r = reconcileExchanges(binance.slice(0, 3), table)
    expect(r.right).toBe('kraken')
    expect(Array.from(r.missingRight)).toEqual([MINUTE])
    expect(r.matched).toBe(2)
    expect(r.ok).toBe(false)
  })

  it('rejects different symbols or timeframes, duplicate minutes and a negative tolerance', () => {
    const eth = binance.map((c) => ({ ...c, symbol: 'ETH-USDT' }))
    expectValidation(() => reconcileExchanges(binance, eth), /different symbols \(BTC-USDT, ETH-USDT\)/)
    const fiveMinute = kraken.map((c) => ({ ...c, timeframe: '5m' }))
    expectValidation(() => reconcileExchanges(binance, fiveMinute), /timeframes differ \(1m, 5m\)/)
    expectValidation(() => reconcileExchanges([...binance, binance[0]] as typeof binance, kraken), /left candles have start 0 twice/)
    expectValidation(() => reconcileExchanges(binance, kraken, { priceTolerance: -1 }), /priceTolerance must be a relative tolerance >= 0/)
    expectValidation(() => reconcileExchanges([...binance, { ...candle('kraken', 9, 1, 1) }], kraken), /left candles mix binance, kraken/)
  })

  it('does not depend on which side comes first: the lists swap and the signs flip', () => {
    const side = fc.uniqueArray(fc.record({ minute: fc.integer({ min: 0, max: 30 }), close: fc.integer({ min: 90, max: 110 }) }), {
      selector: (c) => c.minute,
      maxLength: 20,
    })
    fc.assert(
      fc.property(side, side, (a, b) => {
        const left = a.map((c) => candle('x', c.minute, c.close, c.close))
        const right = b.map((c) => candle('y', c.minute, c.close, 2 * c.close))
        const ab = reconcileExchanges(left, right)
        const ba = reconcileExchanges(right, left)
        expect(ba.missingLeft).toEqual(ab.missingRight)
        expect(ba.missingRight).toEqual(ab.missingLeft)
        expect(ba.missingBoth).toEqual(ab.missingBoth)
        expect(ba.matched).toBe(ab.matched)
        expect(ba.priceDivergences.map((d) => [d.start, -d.relative])).toEqual(ab.priceDivergences.map((d) => [d.start, d.relative]))
        expect(ba.ok).toBe(ab.ok)
      }),
    )
  })
})

describe('relativeDifference', () => {
  it('is (a − b) / mean(a, b), 0 for equal values', () => {
    // (110 − 90) / 100 = 0.2
    expect(relativeDifference(110, 90)).toBe(0.2)
    expect(relativeDifference(90, 110)).toBe(-0.2)
    expect(relativeDifference(0, 0)).toBe(0)
  })
})
