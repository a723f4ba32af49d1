import { CHECK_NAMES, check, rollup } from '@k2/analytics'
import type { Timeframe } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { genTrades, T0, useTempLake } from './lake-support.js'

// The roll-up and the checks are two implementations of the same candle rules (docs/candles.md):
// gold written by one must pass the other, and a candle changed behind the roll-up's back must not.
const TFS: Timeframe[] = ['1m', '5m', '30m', '1h', '1d']
const NOW = T0 + 20 * 86_400_000_000
const clock = () => NOW
const CANDLE_CHECKS = CHECK_NAMES.filter((n) => n.startsWith('candle.'))

describe('rollup output under check()', () => {
  const fx = useTempLake({ clock })

  it('gold from the roll-up passes every candle invariant, the roll-up check included', async () => {
    await (await fx.lake.table('silver.trades')).append(genTrades(3000, 11, { spanUs: 2 * 86_400_000_000 }))
    await rollup(fx.lake, { timeframes: TFS, clock })
    const report = await check(fx.lake, { checks: CANDLE_CHECKS, now: NOW })
    expect(report.failures).toEqual([])
    expect(report.ok).toBe(true)
    const rollupCheck = report.checks.find((c) => c.name === 'candle.rollup')
    expect(rollupCheck?.checked).toBeGreaterThan(0)
  })

  it('an hourly candle edited after the roll-up fails candle.rollup', async () => {
    await (await fx.lake.table('silver.trades')).append(genTrades(3000, 12, { spanUs: 2 * 86_400_000_000 }))
    await rollup(fx.lake, { timeframes: TFS, clock })
    const gold = await fx.lake.table('gold.ohlcv')
    const hour = (await gold.scan()).find((r) => r.timeframe === '1h' && r.trades > 1)
    if (!hour) throw new Error('fixture has no hourly candle with two trades')
    await gold.replaceRows([{ ...hour, trades: hour.trades + 1 }], { key: ['exchange', 'symbol', 'timeframe', 'source', 'start'] })
    const report = await check(fx.lake, { checks: ['candle.rollup'], now: NOW })
    expect(report.ok).toBe(false)
    expect(report.failures.map((f) => f.name)).toEqual(['candle.rollup'])
  })
})
