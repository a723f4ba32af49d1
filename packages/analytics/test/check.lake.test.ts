import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { check } from '@k2/analytics'
import { type Candle, MICROS_PER_DAY, type Trade } from '@k2/core'
import { type Lake, openLake } from '@k2/store'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { candlesOf, makeTrades, T0 } from './check-fixtures.js'

const NOW = T0 + 2 * MICROS_PER_DAY

// A new lake per test, as the store tests' useTempLake() makes one (that helper is not exported).
let dir = ''
let lake: Lake
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k2-checks-'))
  lake = await openLake(join(dir, 'lake'))
})
afterEach(async () => {
  await lake.close()
  rmSync(dir, { recursive: true, force: true })
})

const toKraken = (trades: Trade[]) => trades.map((t) => ({ ...t, exchange: 'kraken' as const, id: String(Number(t.id) + 5000) }))

interface Plant {
  trades?: (binance: Trade[]) => Trade[]
  candles?: (binance1m: Candle[]) => void
  subscribedUntil?: number
}

/** Trades of two exchanges, their 1m and 5m candles, and a subscription covering the whole day. */
async function fill(plant: Plant = {}): Promise<{ binance: Trade[]; m1: Candle[] }> {
  const binance = makeTrades(120)
  const kraken = toKraken(makeTrades(120))
  const m1 = candlesOf(binance, '1m')
  plant.candles?.(m1)
  const candles = [...m1, ...candlesOf(binance, '5m'), ...candlesOf(kraken, '1m'), ...candlesOf(kraken, '5m')]
  await (await lake.table('gold.ohlcv')).append(candles)
  await (await lake.table('silver.trades')).append([...(plant.trades?.(binance) ?? binance), ...kraken])
  const subscribed = (exchange: string, end: number) => ({ exchange, symbol: 'BTC-USDT', kind: 'subscribed', start_ts: T0, end_ts: end })
  await (await lake.table('bronze.coverage')).append([
    subscribed('binance', plant.subscribedUntil ?? T0 + MICROS_PER_DAY),
    subscribed('kraken', T0 + MICROS_PER_DAY),
  ])
  return { binance, m1 }
}

describe('check(lake)', () => {
  it('a clean lake reports ok, every check run on rows read from the lake', async () => {
    await fill()
    const report = await check(lake, { now: NOW })
    expect(report.ok, report.toString()).toBe(true)
    expect(report.checks).toHaveLength(15)
    const byName = Object.fromEntries(report.checks.map((c) => [`${c.name}`, c]))
    expect(byName['candle.ohlc-order']?.checked).toBe(2 * (20 + 4))
    expect(byName['candle.rollup']?.checked).toBe(2 * 4)
    expect(byName['trade.duplicate-id']?.checked).toBe(240)
    expect(byName['trade.id-gap']?.checked).toBe(240)
    expect(byName['trade.cross-exchange']?.checked).toBe(20)
    expect(byName['coverage.day-complete']?.checked).toBe(2)
    expect(report.snapshots['gold.ohlcv']).toMatch(/^\d+$/)
    expect(report.snapshots['silver.trades']).toMatch(/^\d+$/)
  })

  it('reports each planted defect with its count and row, and nothing else', async () => {
    let vwapBad: Candle | undefined
    let print: Trade | undefined
    await fill({
      candles: (m1) => {
        vwapBad = Object.assign(m1[4] as Candle, { vwap: (m1[4] as Candle).high + 1 })
      },
      trades: (binance) => {
        print = Object.assign(binance[30] as Trade, { price: (binance[30] as Trade).price * 1.2 })
        return binance.filter((t) => !['1010', '1011', '1012'].includes(t.id))
      },
      subscribedUntil: T0 + MICROS_PER_DAY / 2,
    })
    const report = await check(lake, { now: NOW })
    expect(report.summary()).toBe(
      'check: 11 passed, 4 failed (candle.vwap-range: 1 candle, trade.id-gap: 1 range, trade.price-jump: 1 row, coverage.day-complete: 1 day)',
    )
    const [vwap, gap, jump, coverage] = report.failures
    expect(vwap?.examples).toEqual([
      expect.objectContaining({
        exchange: 'binance',
        timeframe: '1m',
        start: vwapBad?.start,
        vwap: vwapBad?.vwap,
        quote_volume: vwapBad?.quoteVolume,
      }),
    ])
    expect(gap?.examples).toEqual([
      { exchange: 'binance', symbol: 'BTC-USDT', fromId: '1010', toId: '1012', missing: 3, after: '1009', before: '1013' },
    ])
    expect(jump?.examples).toEqual([expect.objectContaining({ exchange: 'binance', id: print?.id, price: print?.price, ts: print?.ts })])
    expect(coverage?.examples).toEqual([
      {
        exchange: 'binance',
        symbol: 'BTC-USDT',
        day: '2024-01-31',
        uncoveredMicros: MICROS_PER_DAY / 2,
        uncovered: 1,
        unhealedGaps: 0,
        gaps: '',
      },
    ])
  })

  it('a day with trades but no coverage rows is not complete', async () => {
    await (await lake.table('silver.trades')).append(makeTrades(10))
    const report = await check(lake, { checks: ['coverage.day-complete'] })
    expect(report.failures.map((f) => [f.name, f.count])).toEqual([['coverage.day-complete', 1]])
  })

  it('checks a LakeTable on its own (gold.ohlcv or silver.trades), and refuses other tables', async () => {
    await fill({ trades: (b) => b.filter((t) => t.id !== '1050') })
    const gold = await check(await lake.table('gold.ohlcv'), { now: NOW })
    expect([gold.ok, gold.checks.length]).toEqual([true, 9])
    const silver = await check(await lake.table('silver.trades'))
    expect(silver.summary()).toBe('check: 4 passed, 1 failed (trade.id-gap: 1 range)')
    await expect(check(await lake.table('bronze.coverage'))).rejects.toThrow(/pass the Lake/)
  })

  it('reads a lake without creating its tables, and an empty lake passes', async () => {
    const report = await check(lake)
    expect(report.ok).toBe(true)
    expect(report.snapshots).toEqual({ 'gold.ohlcv': null, 'silver.trades': null })
    expect(existsSync(join(dir, 'lake', 'gold'))).toBe(false)
    expect(existsSync(join(dir, 'lake', 'silver'))).toBe(false)
  })

  it("the median and last bucket prices from SQL agree with the in-memory check's", async () => {
    const binance = makeTrades(120)
    const kraken = toKraken(makeTrades(120)).map((t, i) => ({ ...t, price: t.price + (i % 5) - 2 })) // differs from binance most minutes
    await (await lake.table('silver.trades')).append([...binance, ...kraken])
    for (const price of ['median', 'last'] as const) {
      const opts = { checks: ['trade.cross-exchange' as const], divergence: { price, tolerance: 0 }, examples: 100 }
      const fromLake = (await check(lake, opts)).checks[0]
      const inMemory = (await check([...binance, ...kraken], opts)).checks[0]
      expect(fromLake?.count).toBeGreaterThan(5)
      expect(fromLake?.count).toBe(inMemory?.count)
      expect(fromLake?.examples).toEqual(inMemory?.examples)
    }
  })
})
