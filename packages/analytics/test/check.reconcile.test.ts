import { type FieldDifference, RECONCILE_FIELDS, reconcile } from '@k2/analytics'
import { type Candle, JUPYTER_DISPLAY, K2Error, type MimeBundle } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { cleanCandles, goldRow, MINUTE, T0 } from './check-fixtures.js'

const klines = (m1: Candle[]) => m1.map((c) => ({ ...c, source: 'exchange' as const }))

describe('reconcile(computed, exchangeCandles)', () => {
  it('agrees with identical candles, in either spelling', () => {
    const { m1 } = cleanCandles()
    const report = reconcile(m1, klines(m1).map(goldRow))
    expect([report.ok, report.matched, report.differences, report.missingFromComputed, report.missingFromReference]).toEqual([
      true,
      10,
      [],
      [],
      [],
    ])
    expect(report.summary()).toBe('reconcile: 10 matched, 0 differences, 0 missing from reference, 0 missing from computed')
  })

  for (const field of RECONCILE_FIELDS) {
    it(`reports a difference in ${field}, with both values and the absolute and relative difference`, () => {
      const { m1 } = cleanCandles()
      const theirs = klines(m1)
      const ref = theirs[3] as Candle
      const computed = m1[3] as Candle
      ref[field] = computed[field] + 2
      const report = reconcile(m1, theirs)
      expect(report.ok).toBe(false)
      expect(report.differences).toEqual<FieldDifference[]>([
        {
          exchange: 'binance',
          symbol: 'BTC-USDT',
          timeframe: '1m',
          start: T0 + 3 * MINUTE,
          field,
          computed: computed[field],
          reference: ref[field],
          referenceExchange: 'binance',
          absDiff: 2,
          relDiff: 2 / ref[field],
        },
      ])
      expect(report.byField).toEqual({ [field]: 1 })
    })
  }

  it('reports candles missing on either side', () => {
    const { m1 } = cleanCandles()
    const theirs = klines(m1).filter((c) => c.start !== T0 + 2 * MINUTE)
    const report = reconcile(
      m1.filter((c) => c.start !== T0 + 7 * MINUTE),
      theirs,
    )
    const key = (minute: number) => ({ exchange: 'binance', symbol: 'BTC-USDT', timeframe: '1m', start: T0 + minute * MINUTE })
    expect(report.missingFromReference).toEqual([key(2)])
    expect(report.missingFromComputed).toEqual([key(7)])
    expect([report.matched, report.ok]).toEqual([8, false])
    expect(report.summary()).toBe('reconcile: 8 matched, 0 differences, 1 missing from reference, 1 missing from computed')
  })

  it('applies a tolerance (absolute or relative, per field) and a choice of fields', () => {
    const { m1 } = cleanCandles()
    const theirs = klines(m1).map((c) => ({ ...c, volume: c.volume * (1 + 1e-10), vwap: c.vwap + 0.001 }))
    expect(reconcile(m1, theirs).byField).toEqual({ volume: 10, vwap: 10 })
    expect(reconcile(m1, theirs, { tolerance: { rel: 1e-9 } }).byField).toEqual({ vwap: 10 }) // 0.001 of 40 000 is 2.5e-8
    expect(reconcile(m1, theirs, { tolerance: { rel: 1e-7 } }).ok).toBe(true)
    expect(reconcile(m1, theirs, { fieldTolerance: { vwap: { abs: 0.01 } } }).byField).toEqual({ volume: 10 })
    expect(reconcile(m1, theirs, { fields: ['open', 'close'] }).ok).toBe(true)
  })

  it('reconciles two exchanges of the same symbol: missing minutes and price divergence', () => {
    const { m1 } = cleanCandles()
    const kraken = m1.filter((c) => c.start !== T0 + 4 * MINUTE).map((c) => ({ ...c, exchange: 'kraken' as const, close: c.close * 1.03 }))
    const report = reconcile(m1, kraken, { acrossExchanges: true, fields: ['close'], tolerance: { rel: 0.01 } })
    expect(report.missingFromReference).toEqual([{ exchange: 'binance', symbol: 'BTC-USDT', timeframe: '1m', start: T0 + 4 * MINUTE }])
    expect(report.differences).toHaveLength(9)
    expect(report.differences[0]).toMatchObject({ exchange: 'binance', referenceExchange: 'kraken', field: 'close' })
    expect(report.differences[0]?.relDiff).toBeCloseTo(0.03 / 1.03, 12)
  })

  it('displays in a notebook and prints', () => {
    const { m1 } = cleanCandles()
    const theirs = klines(m1)
    ;(theirs[0] as Candle).high += 1
    const report = reconcile(m1.slice(1), theirs)
    const bundle = report[JUPYTER_DISPLAY]() as MimeBundle
    expect(bundle['text/html']).toContain('<table')
    expect(bundle['text/html']).toContain('missing from computed')
    expect(String(report)).toContain('reconcile: 9 matched, 0 differences, 0 missing from reference, 1 missing from computed')
    expect(String(report)).toContain('2024-01-31T00:00:00.000000Z')
  })

  it('refuses duplicates and bad options with VALIDATION that says what to do', () => {
    const { m1 } = cleanCandles()
    const isValidation = (f: () => unknown, re: RegExp) => {
      try {
        f()
        throw new Error('did not throw')
      } catch (e) {
        expect(K2Error.isInstance(e) && e.code === 'VALIDATION').toBe(true)
        expect((e as Error).message).toMatch(re)
      }
    }
    isValidation(() => reconcile([...m1, m1[0] as Candle], m1), /two candles for binance BTC-USDT 1m .*candle.unique/)
    isValidation(() => reconcile(m1, m1, { tolerance: { rel: -1 } }), /numbers ≥ 0/)
    isValidation(() => reconcile(m1, m1, { fields: ['nope' as never] }), /unknown field "nope"/)
    isValidation(() => reconcile(m1, 5 as never), /two arrays/)
  })
})
