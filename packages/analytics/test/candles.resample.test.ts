import { ohlcv, resample } from '@k2/analytics'
import type { Timeframe } from '@k2/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decimal, tradeStream } from './candles-arbitraries.js'

const PAIRS: Array<[Timeframe, Timeframe]> = [
  ['1m', '1h'],
  ['1m', '5m'],
  ['5m', '30m'],
  ['30m', '90m'],
  ['1h', '1d'],
  ['7s', '14s'],
]

describe('resample: higher timeframes from lower candles equal computing them from trades', () => {
  for (const [lower, higher] of PAIRS) {
    it(`${lower} → ${higher}, bit for bit, with the exact strings`, () => {
      fc.assert(
        fc.property(tradeStream(), fc.constantFrom('none', 'prev', 'null') as fc.Arbitrary<'none' | 'prev' | 'null'>, (trades, fill) => {
          const derived = resample(ohlcv(trades as never[], lower, { fill }), higher, { fill })
          expect(derived).toEqual(ohlcv(trades as never[], higher, { fill }))
        }),
        { numRuns: 150 },
      )
    })
  }

  it('1m → 1h from the doubles alone (no *_exact), when sums stay within 15 significant digits', () => {
    const shape = { maxStep: 10 * 60_000_000, price: decimal(9_999, 2), qty: decimal(99, 4), maxTrades: 100 }
    fc.assert(
      fc.property(tradeStream(shape), (trades) => {
        const lower = ohlcv(trades as never[], '1m').map(({ volumeExact, quoteVolumeExact, buyVolumeExact, ...plain }) => plain)
        expect(resample(lower, '1h')).toEqual(ohlcv(trades as never[], '1h'))
      }),
      { numRuns: 150 },
    )
  })

  it('keeps offsets: 1h at +30 s from 1m at +30 s', () => {
    fc.assert(
      fc.property(tradeStream(), (trades) => {
        const offset = 30e6
        expect(resample(ohlcv(trades as never[], '1m', { offset }), '1h', { offset })).toEqual(ohlcv(trades as never[], '1h', { offset }))
      }),
      { numRuns: 50 },
    )
  })

  it('a higher candle is incomplete when any lower one is', () => {
    const t0 = 1_700_000_000_000_000 - (1_700_000_000_000_000 % 3600e6)
    const trades = [0, 1, 2].map((m) => ({
      exchange: 'binance',
      symbol: 'BTC-USDT',
      ts: t0 + m * 60e6,
      id: String(m + 1),
      price: 10,
      qty: 1,
      side: 'buy',
    }))
    const lower = ohlcv(trades as never[], '1m', { gaps: [[t0 + 61e6, t0 + 62e6]] })
    expect(lower.map((c) => c.complete)).toEqual([true, false, true])
    expect(resample(lower, '1h').map((c) => c.complete)).toEqual([false])
  })

  it('refuses a target that is not a whole multiple, or off the lower boundaries', () => {
    const t0 = 1_700_000_000_000_000
    const candles = ohlcv([{ exchange: 'binance', symbol: 'BTC-USDT', ts: t0, id: '1', price: 10, qty: 1, side: 'buy' }] as never[], '1m', {
      offset: 30e6,
    })
    expect(() => resample(candles, '90s', { offset: 30e6 })).toThrow(
      expect.objectContaining({ code: 'VALIDATION', message: expect.stringMatching(/whole multiple/) }),
    )
    expect(() => resample(candles, '1h')).toThrow(
      expect.objectContaining({ code: 'VALIDATION', message: expect.stringMatching(/boundaries/) }),
    )
    expect(() => resample([...candles, ...candles], '1h', { offset: 30e6 })).toThrow(expect.objectContaining({ code: 'VALIDATION' }))
    expect(() => resample(candles, 'hourly' as Timeframe)).toThrow(expect.objectContaining({ code: 'VALIDATION' }))
  })
})
