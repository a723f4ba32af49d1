import { cpSync } from 'node:fs'
import { join } from 'node:path'
import { lakeGoldRows, rollup } from '@k2/analytics'
import { K2Error, type Tables, type Timeframe, type Trade } from '@k2/core'
import { LakeTable, openLake } from '@k2/store'
import { describe, expect, it, vi } from 'vitest'
import { genTrades, T0, useTempLake } from './lake-support.js'

type Gold = Tables['gold.ohlcv']
const TFS: Timeframe[] = ['1m', '5m', '30m', '1h', '1d']
const NOW = T0 + 20 * 86_400_000_000 // the lakes' clock: every candle is within the default retention
const clock = () => NOW
const SPAN = 2 * 86_400_000_000 // two days of trades: 1d candles derived from 1h ones

const order = (a: Gold, b: Gold) =>
  a.timeframe.localeCompare(b.timeframe) || a.exchange.localeCompare(b.exchange) || a.symbol.localeCompare(b.symbol) || a.start - b.start
const sorted = (rows: readonly Gold[]) => [...rows].map((r) => ({ ...r })).sort(order)
const goldOf = async (lake: Awaited<ReturnType<typeof openLake>>) => sorted(await (await lake.table('gold.ohlcv')).scan())

/** Every timeframe computed straight from the trades in SQL: what the roll-up must equal. */
async function direct(lake: Awaited<ReturnType<typeof openLake>>): Promise<Gold[]> {
  const all: Gold[] = []
  for (const timeframe of TFS) all.push(...(await lakeGoldRows(lake, { timeframe })))
  return sorted(all)
}

describe('rollup: incremental candles in gold.ohlcv', () => {
  const fx = useTempLake({ clock })

  it('a full roll-up, one in several increments and SQL straight from the trades agree bit for bit', async () => {
    const trades = genTrades(4000, 3, { spanUs: SPAN })
    await (await fx.lake.table('silver.trades')).append(trades)
    const first = await rollup(fx.lake, { timeframes: TFS, clock })
    expect(first.mode).toBe('full')
    const full = await goldOf(fx.lake)
    expect(full).toEqual(await direct(fx.lake))
    expect(full.every((r) => r.source === 'trades' && r.complete)).toBe(true)

    const other = await openLake(join(fx.dir, 'other'), { clock })
    try {
      const silver = await other.table('silver.trades')
      // Four increments, the last one late (it reaches back into every earlier bucket).
      const parts = [trades.slice(0, 1000), trades.slice(1000, 2500), trades.slice(2500, 3200), trades.slice(3200)]
      for (const [i, part] of parts.entries()) {
        await silver.append(part)
        const r = await rollup(other, { timeframes: TFS, clock })
        expect(r.mode).toBe(i === 0 ? 'full' : 'incremental')
        expect(r.rowsRead.silverChanged).toBe(i === 0 ? 0 : part.length)
      }
      expect(await goldOf(other)).toEqual(full)
    } finally {
      await other.close()
    }
  })

  it('rerunning is a no-op: no new snapshot', async () => {
    await (await fx.lake.table('silver.trades')).append(genTrades(500, 4))
    await rollup(fx.lake, { timeframes: TFS, clock })
    const gold = await fx.lake.table('gold.ohlcv')
    const snaps = (await gold.history()).length
    const again = await rollup(fx.lake, { timeframes: TFS, clock })
    expect(again).toMatchObject({ mode: 'unchanged', snapshotId: null, buckets: { '1m': 0, '1d': 0 } })
    expect((await gold.history()).length).toBe(snaps)
  })

  it('a late backfill rewrites exactly the candles it changes; every other row stays byte-identical', async () => {
    const trades = genTrades(3000, 5, { spanUs: SPAN })
    const silver = await fx.lake.table('silver.trades')
    await silver.append(trades)
    await rollup(fx.lake, { timeframes: TFS, clock })
    const before = await goldOf(fx.lake)
    const minute = 60_000_000
    const late: Trade[] = [
      { ...(trades[0] as Trade), exchange: 'binance', symbol: 'BTC-USDT', id: '900001', ts: T0 + 61 * minute + 7, price: 0.1, qty: 0.2 },
      { ...(trades[0] as Trade), exchange: 'binance', symbol: 'BTC-USDT', id: '900002', ts: T0 + 26 * 60 * minute, price: 9999, qty: 0.1 },
    ]
    await silver.append(late)
    const r = await rollup(fx.lake, { timeframes: TFS, clock })
    expect(r.mode).toBe('incremental')
    expect(r.buckets).toEqual({ '1m': 2, '5m': 2, '30m': 2, '1h': 2, '1d': 2 })
    // 1d from 24 stored hourly rows (minus the recomputed one), not a day of trades.
    expect(r.rowsRead.trades).toBeLessThan(100)
    const after = await goldOf(fx.lake)
    const touched = (g: Gold) =>
      g.exchange === 'binance' && g.symbol === 'BTC-USDT' && late.some((t) => t.ts >= g.start && t.ts < g.start + widthOf(g.timeframe))
    expect(after.filter((g) => !touched(g))).toEqual(before.filter((g) => !touched(g)))
    expect(after.filter(touched)).toHaveLength(10)
    expect(after).toEqual(await direct(fx.lake))
  })

  it('compacting silver does not change the candles', async () => {
    const silver = await fx.lake.table('silver.trades')
    const trades = genTrades(2000, 6, { spanUs: SPAN })
    for (let i = 0; i < 4; i++) await silver.append(trades.slice(i * 500, (i + 1) * 500))
    await rollup(fx.lake, { timeframes: TFS, clock })
    const before = await goldOf(fx.lake)
    expect((await silver.compact()).rewrittenFiles).toBeGreaterThan(0)
    const r = await rollup(fx.lake, { timeframes: TFS, clock })
    expect(r.mode).toBe('incremental')
    expect(await goldOf(fx.lake)).toEqual(before)
  })

  it('a roll-up whose commit fails leaves gold at its last commit, and the next run redoes the work', async () => {
    const silver = await fx.lake.table('silver.trades')
    const trades = genTrades(2000, 7, { spanUs: SPAN })
    await silver.append(trades.slice(0, 1000))
    await rollup(fx.lake, { timeframes: TFS, clock })
    const gold = await fx.lake.table('gold.ohlcv')
    const history = await gold.history()
    const before = await goldOf(fx.lake)
    await silver.append(trades.slice(1000))
    const spy = vi.spyOn(LakeTable.prototype, 'replaceRows').mockRejectedValueOnce(new K2Error('IO', 'disk full (simulated)'))
    try {
      await expect(rollup(fx.lake, { timeframes: TFS, clock })).rejects.toMatchObject({ code: 'IO' })
    } finally {
      spy.mockRestore()
    }
    expect(await gold.history()).toEqual(history)
    expect(await goldOf(fx.lake)).toEqual(before)
    const redo = await rollup(fx.lake, { timeframes: TFS, clock })
    expect(redo).toMatchObject({ mode: 'incremental', rowsRead: { silverChanged: 1000 } })
    expect(await goldOf(fx.lake)).toEqual(await direct(fx.lake))
  })

  it('retention per timeframe: defaults, and configured ages, applied to gold', async () => {
    await (await fx.lake.table('silver.trades')).append(genTrades(1000, 8, { spanUs: SPAN }))
    const r = await rollup(fx.lake, { timeframes: ['1m', '1h'], retention: { '1m': '19d', '1h': null }, clock })
    expect(r.retention.deletedRows).toBe(0) // rows past the cut-off are not even written
    const gold = await goldOf(fx.lake)
    expect(gold.filter((g) => g.timeframe === '1m').every((g) => g.start >= NOW - 19 * 86_400_000_000)).toBe(true)
    expect(gold.some((g) => g.timeframe === '1m')).toBe(true)
    expect(gold.filter((g) => g.timeframe === '1h').length).toBeGreaterThan(24)
    expect(gold.filter((g) => g.timeframe === '1m').length).toBeLessThan((await lakeGoldRows(fx.lake, { timeframe: '1m' })).length)
  })

  it('the snapshot summary names the silver snapshot processed', async () => {
    const silver = await fx.lake.table('silver.trades')
    await silver.append(genTrades(200, 9))
    const r = await rollup(fx.lake, { timeframes: ['1m'], clock })
    const last = (await (await fx.lake.table('gold.ohlcv')).history()).at(-1)
    expect(last?.snapshotId).toBe(r.snapshotId)
    expect(last?.summary['k2.rollup.silver-snapshot-id']).toBe(String(await silver.currentSnapshotId()))
  })

  it('rejects bad options with VALIDATION', async () => {
    for (const bad of [{}, { timeframes: [] }, { timeframes: ['1x'] }]) {
      const err = await rollup(fx.lake, bad as never).catch((e: unknown) => e)
      expect(K2Error.isInstance(err) && err.code).toBe('VALIDATION')
    }
  })

  it('a copied lake refuses to roll up (TABLE_MOVED) and leaves the original untouched', async () => {
    await (await fx.lake.table('silver.trades')).append(genTrades(500, 21))
    await rollup(fx.lake, { timeframes: TFS, clock })
    const before = await goldOf(fx.lake)
    await fx.lake.close()
    cpSync(join(fx.dir, 'lake'), join(fx.dir, 'copy'), { recursive: true })
    const copy = await openLake(join(fx.dir, 'copy'), { clock })
    try {
      const appended = await (await copy.table('silver.trades')).append(genTrades(50, 22)).catch((e: unknown) => e)
      expect(K2Error.isInstance(appended) && appended.code).toBe('TABLE_MOVED')
      const err = await rollup(copy, { timeframes: TFS, clock, full: true }).catch((e: unknown) => e)
      expect(K2Error.isInstance(err) && err.code).toBe('TABLE_MOVED')
    } finally {
      await copy.close()
    }
    fx.lake = await openLake(join(fx.dir, 'lake'), { clock })
    expect(await goldOf(fx.lake)).toEqual(before)
  })
})

function widthOf(tf: string): number {
  return { '1m': 60e6, '5m': 300e6, '30m': 1800e6, '1h': 3600e6, '1d': 86400e6 }[tf] as number
}
