import { lakeGoldRows, lakeOhlcv, rollup } from '@k2/analytics'
import type { Tables, Timeframe, Trade } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { T0, useTempLake } from './lake-support.js'

const MIN = 60_000_000
const TFS: Timeframe[] = ['1m', '5m', '1h']
const clock = () => T0 + 10 * 86_400_000_000

const trade = (symbol: string, id: number, ts: number, exchange: Trade['exchange'] = 'binance'): Trade => ({
  type: 'trade',
  exchange,
  symbol: symbol as Trade['symbol'],
  id: String(id),
  price: 100 + (id % 7),
  qty: 0.5,
  side: 'buy',
  ts,
  recvTs: ts + 2000,
})

const cov = (kind: string, symbol: string | null, start: number, end: number, extra: Partial<Tables['bronze.coverage']> = {}) => ({
  exchange: 'binance',
  symbol,
  kind,
  start_ts: start,
  end_ts: end,
  ...extra,
})

/** BTC-USDT every 10 s for two hours (ids 1…720, 500…505 missing), ETH-USDT at minutes 10 and 50, kraken with no coverage. */
async function seed(lake: Awaited<ReturnType<typeof import('@k2/store')['openLake']>>) {
  const trades: Trade[] = []
  for (let id = 1; id <= 720; id++) if (id < 500 || id > 505) trades.push(trade('BTC-USDT', id, T0 + (id - 1) * 10_000_000))
  trades.push(trade('ETH-USDT', 1, T0 + 10 * MIN + 5), trade('ETH-USDT', 2, T0 + 50 * MIN + 5))
  trades.push(trade('ETH-USDT', 1, T0 + 33 * MIN, 'kraken'))
  await (await lake.table('silver.trades')).append(trades)
  await (await lake.table('bronze.coverage')).append([
    cov('subscribed', 'BTC-USDT', T0 - MIN, T0 + 30 * MIN),
    cov('subscribed', 'BTC-USDT', T0 + 40 * MIN, T0 + 121 * MIN),
    cov('subscribed', null, T0 + 35 * MIN, T0 + 37 * MIN), // connection-wide: every binance symbol
    cov('connected', null, T0 - MIN, T0 + 121 * MIN),
    // ids 500…505 missing, detected when 506 arrived; the exchange's history could not fill them
    cov('gap', 'BTC-USDT', T0 + 5050 * 1_000_000, T0 + 5050 * 1_000_000, { from_id: '500', to_id: '505', state: 'open' }),
    cov('gap', 'BTC-USDT', T0 + 5051 * 1_000_000, T0 + 5051 * 1_000_000, { from_id: '500', to_id: '505', state: 'unhealed' }),
  ])
}

const incompleteMinutes = (rows: { start: number; complete: boolean }[]) => rows.filter((c) => !c.complete).map((c) => (c.start - T0) / MIN)

describe('complete: candles that overlap a coverage gap say so', () => {
  const fx = useTempLake({ clock })

  it('unsubscribed time and an unhealed id gap make exactly their buckets incomplete', async () => {
    await seed(fx.lake)
    const btc = await lakeOhlcv(fx.lake, { timeframe: '1m', exchange: 'binance', symbol: 'BTC-USDT' })
    expect(btc).toHaveLength(120)
    // 30…34 and 37…39 unsubscribed (35, 36 covered connection-wide); 83 and 84 hold the gap: the
    // last trade before it (id 499) is at 83:10, the first after (506) at 84:10.
    expect(incompleteMinutes(btc)).toEqual([30, 31, 32, 33, 34, 37, 38, 39, 83, 84])
    const hours = await lakeOhlcv(fx.lake, { timeframe: '1h', symbol: 'BTC-USDT' })
    expect(hours.map((c) => c.complete)).toEqual([false, false])
    // ETH-USDT has no subscription of its own: before the first connection-wide one (35:00) its
    // trades come from history and count as complete; at 50:00 nothing covered it.
    expect(incompleteMinutes(await lakeOhlcv(fx.lake, { timeframe: '1m', exchange: 'binance', symbol: 'ETH-USDT' }))).toEqual([50])
    // kraken has no coverage at all (e.g. importTrades): complete.
    expect((await lakeOhlcv(fx.lake, { timeframe: '1m', exchange: 'kraken' })).map((c) => c.complete)).toEqual([true])
  })

  it('the roll-up writes the same flags, and coverage added later (a healed gap, a late interval) fixes them', async () => {
    await seed(fx.lake)
    await rollup(fx.lake, { timeframes: TFS, clock })
    const goldOf = async () => {
      const rows = await (await fx.lake.table('gold.ohlcv')).scan()
      return rows
        .filter((r) => r.timeframe === '1m' && r.exchange === 'binance' && r.symbol === 'BTC-USDT')
        .sort((a, b) => a.start - b.start)
    }
    expect(incompleteMinutes(await goldOf())).toEqual([30, 31, 32, 33, 34, 37, 38, 39, 83, 84])
    await (await fx.lake.table('bronze.coverage')).append([
      cov('subscribed', 'BTC-USDT', T0 + 30 * MIN, T0 + 40 * MIN),
      cov('gap', 'BTC-USDT', T0 + 6000 * 1_000_000, T0 + 6000 * 1_000_000, {
        from_id: '500',
        to_id: '505',
        state: 'healed',
        healed_by: 'rest',
      }),
    ])
    const r = await rollup(fx.lake, { timeframes: TFS, clock })
    expect(r.mode).toBe('incremental')
    expect(r.rowsRead.silverChanged).toBe(0)
    expect(incompleteMinutes(await goldOf())).toEqual([])
    const gold = (await (await fx.lake.table('gold.ohlcv')).scan()).map((g) => ({ ...g }))
    const want = (await Promise.all(TFS.map((timeframe) => lakeGoldRows(fx.lake, { timeframe })))).flat()
    const key = (g: { timeframe: string; exchange: string; symbol: string; start: number }) =>
      `${g.timeframe}|${g.exchange}|${g.symbol}|${g.start}`
    expect(gold.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(want.sort((a, b) => key(a).localeCompare(key(b))))
    // What stays incomplete is ETH-USDT's uncovered 50:00 (and the 5m and 1h buckets around it).
    expect(want.filter((c) => !c.complete).map((c) => `${c.timeframe}|${c.symbol}|${(c.start - T0) / MIN}`)).toEqual([
      '1h|ETH-USDT|0',
      '1m|ETH-USDT|50',
      '5m|ETH-USDT|50',
    ])
  })
})
