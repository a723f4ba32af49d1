import { type CheckResult, check } from '@k2/analytics'
import type { Candle } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { candlesOf, cleanCandles, goldRow, MINUTE, makeTrades, T0 } from './check-fixtures.js'

async function rollup(candles: readonly object[], opts = {}): Promise<CheckResult> {
  const report = await check(candles as Candle[], { checks: ['candle.rollup'], ...opts })
  return report.checks[0] as CheckResult
}

/** 1m candle with only the fields roll-up reads varied. */
function candle(timeframe: '1m' | '5m', start: number, over: Partial<Candle>): Candle {
  return {
    exchange: 'binance',
    symbol: 'BTC-USDT',
    timeframe,
    start,
    open: 100,
    high: 100,
    low: 100,
    close: 100,
    volume: 1,
    quoteVolume: 100,
    trades: 1,
    buyVolume: 0,
    vwap: 100,
    complete: true,
    source: 'trades',
    ...over,
  }
}

describe('candle.rollup: each higher-timeframe candle equals the aggregate of its lower ones', () => {
  it('passes on 1m and 5m candles built independently from the same trades', async () => {
    const { m1, m5 } = cleanCandles()
    const r = await rollup([...m1, ...m5])
    expect([r.passed, r.checked, r.count]).toEqual([true, 2, 0])
    // and on a chain: 1m → 5m → 15m (each against the largest timeframe that divides it)
    const trades = makeTrades(90)
    const chain = await rollup([...candlesOf(trades, '1m'), ...candlesOf(trades, '5m'), ...candlesOf(trades, '15m')])
    expect([chain.passed, chain.checked]).toEqual([true, 3 + 1])
  })

  for (const field of ['open', 'high', 'low', 'close', 'trades', 'volume', 'quoteVolume', 'buyVolume', 'vwap'] as const) {
    it(`catches a 5m candle whose ${field} differs`, async () => {
      const { m1, m5 } = cleanCandles()
      const bad = m5[1] as Candle
      const before = bad[field]
      // open/close inside the range stay inside it (+1 or −1); the others move by a step the sums notice
      const after = field === 'open' || field === 'close' ? (before === bad.high ? before - 1 : before + 1) : before + 0.25
      Object.assign(bad, { [field]: after })
      const r = await rollup([...m1, ...m5])
      expect(r.count).toBe(1)
      expect(r.examples).toEqual([
        expect.objectContaining({
          timeframe: '5m',
          lower: '1m',
          start: T0 + 5 * MINUTE,
          problem: 'fields differ',
          lowerCandles: 5,
          differences: [{ field, higher: after, lower: field.endsWith('olume') ? String(before) : before }],
          higher: bad,
        }),
      ])
    })
  }

  it('compares volumes as exact decimals: 0.1 + 0.2 of volume is 0.3, not 0.30000000000000004', async () => {
    const lower = [candle('1m', T0, { volume: 0.1, quoteVolume: 10 }), candle('1m', T0 + MINUTE, { volume: 0.2, quoteVolume: 20 })]
    const exact = candle('5m', T0, { volume: 0.3, quoteVolume: 30, trades: 2 })
    expect((await rollup([...lower, exact])).passed).toBe(true)
    const naive = candle('5m', T0, { volume: 0.1 + 0.2, quoteVolume: 30, trades: 2 })
    const r = await rollup([...lower, naive])
    expect(r.count).toBe(1)
    expect((r.examples[0] as { differences: unknown }).differences).toEqual([
      { field: 'volume', higher: 0.30000000000000004, lower: '0.3' },
    ])
  })

  it('sums the *_exact decimals of gold rows when present, and compares the higher exact too', async () => {
    const lower = [candle('1m', T0, { volume: 0.1 }), candle('1m', T0 + MINUTE, { volume: 0.2 })].map(goldRow)
    lower[0]!.volume_exact = '0.1000000000000000001' // a decimal the double 0.1 only approximates
    const higher = goldRow(candle('5m', T0, { volume: 0.3, quoteVolume: 200, trades: 2 }))
    const r = await rollup([...lower, higher])
    expect(r.count).toBe(1)
    expect((r.examples[0] as { differences: unknown }).differences).toEqual([
      { field: 'volume', higher: '0.3', lower: '0.3000000000000000001' },
    ])
    higher.volume_exact = '0.3000000000000000001'
    expect((await rollup([...lower, higher])).passed).toBe(true)
  })

  it('catches a missing lower candle inside the span, a missing higher candle, and a higher candle with no lower ones', async () => {
    const trades = makeTrades(90) // 15 minutes: three 5m buckets
    const m1 = candlesOf(trades, '1m')
    const m5 = candlesOf(trades, '5m')
    const gapped = await rollup([...m1.filter((c) => c.start !== T0 + 7 * MINUTE), ...m5])
    expect([gapped.count, (gapped.examples[0] as { start: number }).start]).toEqual([1, T0 + 5 * MINUTE])
    const noHigher = await rollup([...m1, ...m5.filter((c) => c.start !== T0 + 5 * MINUTE)])
    expect(noHigher.examples).toEqual([
      expect.objectContaining({ start: T0 + 5 * MINUTE, problem: 'missing higher candle', lowerCandles: 5, higher: null }),
    ])
    const lone = await rollup([...m1.filter((c) => c.start < T0 + 5 * MINUTE || c.start >= T0 + 10 * MINUTE), ...m5])
    expect(lone.count).toBe(1)
    expect(lone.examples).toEqual([expect.objectContaining({ start: T0 + 5 * MINUTE, problem: 'no lower candles', higher: m5[1] })])
  })

  it('compares only inside the span of the lower timeframe (retention keeps lower timeframes for less time)', async () => {
    const trades = makeTrades(90)
    const m1 = candlesOf(trades, '1m')
    const m5 = candlesOf(trades, '5m')
    // 1m kept from minute 7 on: the bucket at minute 5 is cut by retention, the one at 0 has none
    const r = await rollup([...m1.filter((c) => c.start >= T0 + 7 * MINUTE), ...m5])
    expect([r.passed, r.checked]).toEqual([true, 1])
    expect(r.message).toContain('2 outside')
    // and 1m that stops early: the last bucket has no lower candles and is not compared
    const early = await rollup([...m1.filter((c) => c.start < T0 + 10 * MINUTE), ...m5])
    expect([early.passed, early.checked]).toEqual([true, 2])
  })

  it('does not compare incomplete buckets, but a complete candle over incomplete lower ones is an offence', async () => {
    const { m1, m5 } = cleanCandles()
    ;(m1[2] as Candle).complete = false
    ;(m5[0] as Candle).high += 1 // would differ, but trades may be missing: not compared
    const r = await rollup([...m1, ...m5])
    expect(r.count).toBe(1)
    expect(r.examples).toEqual([
      expect.objectContaining({
        problem: 'complete over incomplete lower candles',
        differences: [{ field: 'complete', higher: true, lower: false }],
      }),
    ])
    ;(m5[0] as Candle).complete = false
    const skipped = await rollup([...m1, ...m5])
    expect([skipped.passed, skipped.checked]).toEqual([true, 2])
    expect(skipped.message).toContain('1 incomplete')
  })

  it('keeps sources apart, and takes explicit pairs', async () => {
    const { m1, m5 } = cleanCandles()
    const klines = m5.map((c) => ({ ...c, source: 'exchange' as const, high: c.high + 1 })) // no exchange 1m to compare with
    expect((await rollup([...m1, ...m5, ...klines])).passed).toBe(true)
    const r = await rollup([...m1, ...m5], { rollup: { pairs: [['1m', '5m']] } })
    expect([r.passed, r.checked]).toEqual([true, 2])
    const none = await rollup([...m1, ...m5], { rollup: { pairs: [['1m', '1h']] } })
    expect(none.checked).toBe(0)
  })
})
