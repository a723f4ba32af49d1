import { type CheckReport, type CheckResult, check } from '@k2/analytics'
import type { Candle } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { cleanCandles, goldRow, MINUTE, T0 } from './check-fixtures.js'

const NOW = T0 + 3_600_000_000 // an hour after the fixture starts

function result(report: CheckReport, name: string): CheckResult {
  const r = report.checks.find((c) => c.name === name)
  if (!r) throw new Error(`no ${name} in the report`)
  return r
}

/** The candles, with `plant` applied to copies. */
function planted(plant: (m1: Candle[], m5: Candle[]) => void): Candle[] {
  const { m1, m5 } = cleanCandles()
  plant(m1, m5)
  return [...m1, ...m5]
}

describe('check(candles): a clean fixture', () => {
  it('passes every candle check, as core Candles and as gold rows', async () => {
    const { m1, m5 } = cleanCandles()
    for (const input of [[...m1, ...m5], [...m1, ...m5].map(goldRow)]) {
      const report = await check(input, { now: NOW })
      expect(report.ok, report.toString()).toBe(true)
      expect(report.checks.map((c) => c.name)).toEqual([
        'candle.ohlc-order',
        'candle.vwap-range',
        'candle.non-negative',
        'candle.buy-volume',
        'candle.volume-trades',
        'candle.aligned',
        'candle.unique',
        'candle.future',
        'candle.rollup',
      ])
      expect(result(report, 'candle.ohlc-order').checked).toBe(12)
      expect(result(report, 'candle.rollup').checked).toBe(2) // both 5m buckets compared
    }
  })
})

describe('check(candles): each planted defect is caught, with its count and row', () => {
  const cases: [string, (m1: Candle[], m5: Candle[]) => Candle[]][] = [
    ['candle.ohlc-order', (m1) => [Object.assign(m1[3] as Candle, { low: Math.min(m1[3]!.open, m1[3]!.close) + 0.5 })]],
    ['candle.vwap-range', (m1) => [Object.assign(m1[4] as Candle, { vwap: m1[4]!.high + 1 })]],
    [
      'candle.non-negative',
      (m1) => [Object.assign(m1[1] as Candle, { buyVolume: -0.25 }), Object.assign(m1[2] as Candle, { trades: 1.5 })],
    ],
    ['candle.buy-volume', (m1) => [Object.assign(m1[5] as Candle, { buyVolume: m1[5]!.volume + 0.25 })]],
    ['candle.volume-trades', (m1) => [Object.assign(m1[6] as Candle, { trades: 0 }), Object.assign(m1[7] as Candle, { volume: 0 })]],
    ['candle.aligned', (m1) => [Object.assign(m1[8] as Candle, { start: m1[8]!.start + 1 })]],
  ]
  for (const [name, plant] of cases) {
    it(name, async () => {
      let bad: Candle[] = []
      const report = await check(
        planted((m1, m5) => {
          bad = plant(m1, m5)
        }),
        { now: NOW },
      )
      const r = result(report, name)
      expect(r.passed).toBe(false)
      expect(r.count).toBe(bad.length)
      expect(r.examples).toEqual(bad)
      expect(r.examples[0]).toBe(bad[0]) // the row as given, not a copy
      expect(report.failures).toContain(r)
    })
  }

  it('candle.unique: a second candle for the same key and start', async () => {
    const { m1, m5 } = cleanCandles()
    const dup = { ...(m1[2] as Candle) }
    const report = await check([...m1, dup, ...m5], { now: NOW, checks: ['candle.unique'] })
    const r = result(report, 'candle.unique')
    expect([r.count, r.examples]).toEqual([1, [dup]])
    // the same start in another source or timeframe is not a duplicate
    const other = await check([...m1, { ...(m1[2] as Candle), source: 'exchange' as const }, ...m5], { checks: ['candle.unique'] })
    expect(other.ok).toBe(true)
  })

  it('candle.future: starts after the injected now', async () => {
    const { m1, m5 } = cleanCandles()
    const report = await check([...m1, ...m5], { now: T0 + 5 * MINUTE })
    const r = result(report, 'candle.future')
    expect(r.count).toBe(4) // 1m candles of minutes 6–9; the 5m candle at minute 5 starts at now, not after
    expect(r.examples).toEqual(m1.slice(6))
    expect((await check([...m1, ...m5], { now: () => T0 + 10 * MINUTE })).ok).toBe(true)
  })

  it('candle.aligned honours a declared offset', async () => {
    const { m1 } = cleanCandles()
    const shifted = m1.map((c) => ({ ...c, start: c.start + 30_000_000 }))
    expect(result(await check(shifted, { now: NOW }), 'candle.aligned').count).toBe(10)
    expect(result(await check(shifted, { now: NOW, offset: 30_000_000 }), 'candle.aligned').passed).toBe(true)
    expect(result(await check(shifted, { now: NOW, offset: { '1m': 30_000_000 } }), 'candle.aligned').passed).toBe(true)
  })

  it('candle.buy-volume compares the exact decimals when gold rows carry them', async () => {
    const { m1 } = cleanCandles()
    const rows = m1.map(goldRow)
    // 0.75 vs 0.750000000000000000001: the same double, a larger decimal
    const bad = Object.assign(rows[0]!, {
      volume: 0.75,
      volume_exact: '0.75',
      buy_volume: 0.75,
      buy_volume_exact: '0.750000000000000000001',
    })
    const r = result(await check(rows, { checks: ['candle.buy-volume'] }), 'candle.buy-volume')
    expect([r.count, r.examples]).toEqual([1, [bad]])
  })
})
