import { lakeGoldRows, lakeOhlcv } from '@k2/analytics'
import { K2Error, type Trade } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { genTrades, referenceCandles, T0, useTempLake } from './lake-support.js'

describe('lakeOhlcv: exact SQL candles over silver.trades', () => {
  const fx = useTempLake()

  it('equals an independent BigInt reference bit for bit, at every timeframe and with an offset', async () => {
    const trades = genTrades(3000, 1)
    // Ties in ts whose ids differ in length: "9" sorts before "10" (numeric order), not after.
    const tie = { ...trades[0], exchange: 'binance', symbol: 'SOL-USDT', ts: T0 + 5, recvTs: T0 + 9 } as Trade
    trades.push({ ...tie, id: '10', price: 2 }, { ...tie, id: '9', price: 1 }, { ...tie, id: '11', price: 3 })
    await (await fx.lake.table('silver.trades')).append(trades)
    for (const [timeframe, offset] of [
      ['1m', 0],
      ['5m', 0],
      ['1h', 0],
      ['1d', 8 * 3_600_000_000],
      ['15s', 0],
    ] as const) {
      const got = (await lakeGoldRows(fx.lake, { timeframe, offset })).map((g) => ({
        exchange: g.exchange,
        symbol: g.symbol,
        timeframe: g.timeframe,
        start: g.start,
        open: g.open,
        high: g.high,
        low: g.low,
        close: g.close,
        volume: g.volume,
        quoteVolume: g.quote_volume,
        trades: g.trades,
        buyVolume: g.buy_volume,
        vwap: g.vwap,
        complete: g.complete,
        source: g.source,
        exact: [g.volume_exact, g.quote_volume_exact, g.buy_volume_exact],
      }))
      expect(got).toEqual(referenceCandles(trades, timeframe, offset)) // toEqual compares numbers with Object.is: bit for bit
    }
    const sol = await lakeOhlcv(fx.lake, { timeframe: '1m', symbol: 'SOL-USDT' })
    expect(sol.map((c) => [c.open, c.close])).toEqual([[1, 3]])
    // 0.1 + 0.2 of volume is 0.3, as the exchange prints it, not 0.30000000000000004.
    expect(0.1 + 0.2).not.toBe(0.3)
  })

  it('selects by exchange, symbol and [from, to), always whole buckets; empty buckets are skipped', async () => {
    const trades = genTrades(2000, 2)
    await (await fx.lake.table('silver.trades')).append(trades)
    const from = T0 + 90 * 60_000_000 + 17 // inside the 01:30 minute: that whole bucket is included
    const to = T0 + 3 * 3_600_000_000
    const got = await lakeOhlcv(fx.lake, { timeframe: '1m', exchange: 'kraken', symbol: 'ETH-USDT', from, to })
    const want = referenceCandles(trades, '1m').filter(
      (c) => c.exchange === 'kraken' && c.symbol === 'ETH-USDT' && c.start + 60_000_000 > from && c.start < to,
    )
    expect(got).toEqual(want.map(({ exact: _, ...c }) => c))
    const starts = got.map((c) => c.start)
    expect(starts.some((s, i) => i > 0 && s - (starts[i - 1] as number) > 60_000_000)).toBe(true) // gaps of empty minutes
  })

  it('a value outside the exact DECIMAL domain is a VALIDATION K2Error, never a rounded candle', async () => {
    const base: Trade = {
      type: 'trade',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      id: '1',
      price: 1,
      qty: 1,
      side: 'buy',
      ts: T0,
      recvTs: T0,
    }
    const t = await fx.lake.table('silver.trades')
    await t.append([base])
    for (const [i, bad] of [
      { qty: 1.0000000000001 }, // 13 decimal places
      { price: 1e14 },
      { price: 1e13, qty: 1e13 }, // quote volume 10^26 per candle
    ].entries()) {
      await t.append([{ ...base, ...bad, id: String(10 + i), ts: T0 + (i + 1) * 3_600_000_000 }])
      const err = await lakeOhlcv(fx.lake, { timeframe: '1m' }).catch((e: unknown) => e)
      expect(K2Error.isInstance(err) && err.code).toBe('VALIDATION')
      expect(String((err as Error).message)).toMatch(/streaming ohlcv\(\)/)
      // The rest of the lake still computes.
      expect(await lakeOhlcv(fx.lake, { timeframe: '1m', to: T0 + 60_000_000 })).toHaveLength(1)
      await t.replaceRows([{ ...base, id: String(10 + i), ts: T0 + (i + 1) * 3_600_000_000 }], { key: ['exchange', 'symbol', 'id'] })
    }
  })

  it('rejects bad options with VALIDATION', async () => {
    for (const bad of [{ timeframe: '1x' }, { timeframe: '1m', offset: 1.5 }, { timeframe: '1m', symbol: 5 }]) {
      const err = await lakeOhlcv(fx.lake, bad as never).catch((e: unknown) => e)
      expect(K2Error.isInstance(err) && err.code).toBe('VALIDATION')
    }
  })
})
