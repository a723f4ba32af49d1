import { CandleAggregator, ohlcv, type StreamCandle } from '@k2/analytics'
import type { FeedEventMap, FeedEventName, MarketEvent, MarketEventSource } from '@k2/core'
import { tableFromArrays } from 'apache-arrow'
import { describe, expect, it } from 'vitest'

const M = 60_000_000
const T0 = 1_700_000_000_000_000 - (1_700_000_000_000_000 % (60 * M)) // on the hour
const trade = (ts: number, id: string, price: number, qty: number, side = 'buy') => ({
  exchange: 'binance',
  symbol: 'BTC-USDT',
  ts,
  id,
  price,
  qty,
  side,
})
const TRADES = [
  trade(T0 + 5, '2', 10, 1),
  trade(T0 + 5, '10', 11, 2, 'sell'),
  trade(T0 + M + 1, '11', 9, 0.1),
  trade(T0 + 3 * M, '12', 12, 0.2),
]

describe('ohlcv inputs give the same candles', () => {
  const expected = ohlcv(TRADES as never[], '1m')

  it('object arrays, sync iterables, columnar batches and Arrow tables agree', () => {
    expect(expected.map((c) => [c.start, c.open, c.close, c.trades])).toEqual([
      [T0, 10, 11, 2], // same ts: id "2" before "10" (shorter first)
      [T0 + M, 9, 9, 1],
      [T0 + 3 * M, 12, 12, 1],
    ])
    expect(ohlcv(new Set(TRADES) as never, '1m')).toEqual(expected)
    const cols = {
      ts: Float64Array.from(TRADES, (t) => t.ts),
      price: Float64Array.from(TRADES, (t) => t.price),
      qty: Float64Array.from(TRADES, (t) => t.qty),
      side: TRADES.map((t) => t.side),
      id: TRADES.map((t) => t.id),
      exchange: 'binance',
      symbol: 'BTC-USDT',
    }
    expect(ohlcv(cols, '1m')).toEqual(expected)
    expect(ohlcv({ ...cols, ts: BigInt64Array.from(TRADES, (t) => BigInt(t.ts)) }, '1m')).toEqual(expected)
    const table = tableFromArrays({
      exchange: TRADES.map((t) => t.exchange),
      symbol: TRADES.map((t) => t.symbol),
      id: TRADES.map((t) => t.id),
      price: cols.price,
      qty: cols.qty,
      side: cols.side,
      ts: BigInt64Array.from(TRADES, (t) => BigInt(t.ts)),
    })
    expect(ohlcv(table, '1m')).toEqual(expected)
  })

  it("fill 'prev' repeats the close with zero volume; fill 'null' has null prices", () => {
    const prev = ohlcv(TRADES as never[], '1m', { fill: 'prev' })
    expect(prev.map((c) => [c.start, c.open, c.close, c.trades, c.volume])).toEqual([
      [T0, 10, 11, 2, 3],
      [T0 + M, 9, 9, 1, 0.1],
      [T0 + 2 * M, 9, 9, 0, 0],
      [T0 + 3 * M, 12, 12, 1, 0.2],
    ])
    const nulls = ohlcv(TRADES as never[], '1m', { fill: 'null' })
    expect(nulls[2]).toMatchObject({ start: T0 + 2 * M, open: null, close: null, vwap: null, trades: 0, volumeExact: '0' })
  })

  it('bad rows fail with VALIDATION naming the row; bad timeframes and options too', () => {
    const bad = [
      [trade(T0, '1', Number.NaN, 1)],
      [trade(T0, '1', 10, 1), trade(Number.POSITIVE_INFINITY, '7', 10, 1)],
      [trade(T0 + 0.5, '1', 10, 1)],
      [trade(T0, '1', 10, -1)],
    ]
    for (const rows of bad)
      expect(() => ohlcv(rows as never[], '1m')).toThrow(
        expect.objectContaining({ code: 'VALIDATION', message: expect.stringMatching(/row \d/) }),
      )
    expect(() => ohlcv(TRADES as never[], '1x' as never)).toThrow(expect.objectContaining({ code: 'VALIDATION' }))
    expect(() => ohlcv(TRADES as never[], '1m', { fill: 'zero' as never })).toThrow(expect.objectContaining({ code: 'VALIDATION' }))
    expect(() => ohlcv(42 as never, '1m')).toThrow(expect.objectContaining({ code: 'VALIDATION' }))
    expect(() => new CandleAggregator('1m').push(trade(T0, '1', Number.NaN, 1) as never)).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    )
  })
})

describe('streaming: lateness, corrections and coverage', () => {
  it('a late trade within the lateness revises an emitted candle; beyond it, it goes to onLate', () => {
    const late: unknown[] = []
    const agg = new CandleAggregator('1m', { allowedLateness: 30_000_000, onLate: (t, info) => late.push([t.id, info.bucketStart]) })
    expect(agg.push(trade(T0 + 1, '1', 10, 1) as never)).toEqual([])
    const first = agg.push(trade(T0 + M + 1, '3', 11, 1) as never)
    expect(first).toMatchObject([{ start: T0, close: 10, trades: 1, revision: 0 }])
    const fixed = agg.push(trade(T0 + 2, '2', 12, 1) as never) // 1 minute later in ts order, still within 30 s of the newest
    expect(fixed).toMatchObject([{ start: T0, close: 12, high: 12, trades: 2, revision: 1 }])
    agg.push(trade(T0 + M + 40_000_000, '4', 11, 1) as never) // watermark passes T0 + 1m: bucket T0 is final
    expect(agg.push(trade(T0 + 3, '5', 13, 1) as never)).toEqual([])
    expect(late).toEqual([['5', T0]])
    expect(agg.stats).toMatchObject({ trades: 5, late: 1, corrections: 1 })
  })

  it('a disconnect until the next subscribed, and an unhealed gap, make candles incomplete; a healed gap does not', async () => {
    const listeners = new Map<string, Array<(p: unknown) => void>>()
    const events: Array<MarketEvent | (() => void)> = []
    const fire =
      <K extends FeedEventName>(name: K, payload: FeedEventMap[K]) =>
      () => {
        for (const l of listeners.get(name) ?? []) l(payload)
      }
    const t = (ts: number, id: string) => ({ type: 'trade', recvTs: ts, ...trade(ts, id, 10, 1) }) as MarketEvent
    events.push(t(T0 + 1, '1'), t(T0 + M + 1, '2'))
    events.push(fire('status', { exchange: 'binance', state: 'disconnected', ts: T0 + M + 2, connectionId: 1 }))
    events.push(fire('status', { exchange: 'binance', state: 'subscribed', ts: T0 + 2 * M + 5, connectionId: 2 }))
    events.push(t(T0 + 2 * M + 6, '3'), t(T0 + 3 * M + 1, '4'))
    events.push(fire('gap', { exchange: 'binance', symbol: 'BTC-USDT', fromId: '5', toId: '6', detectedTs: T0, state: 'unhealed' }))
    events.push(t(T0 + 4 * M + 1, '7'))
    events.push(fire('gap', { exchange: 'binance', symbol: 'BTC-USDT', fromId: '8', toId: '8', detectedTs: T0, state: 'open' }))
    events.push(fire('gap', { exchange: 'binance', symbol: 'BTC-USDT', fromId: '8', toId: '8', detectedTs: T0, state: 'healed' }))
    events.push(t(T0 + 5 * M + 1, '9'), t(T0 + 6 * M + 1, '10'))
    const feed = {
      on: (name: string, l: (p: unknown) => void) => listeners.set(name, [...(listeners.get(name) ?? []), l]),
      off: (name: string, l: (p: unknown) => void) =>
        listeners.set(
          name,
          (listeners.get(name) ?? []).filter((x) => x !== l),
        ),
      close: async () => {},
      async *[Symbol.asyncIterator]() {
        for (const e of events) {
          if (typeof e === 'function') e()
          else yield e
        }
      },
    } as unknown as MarketEventSource
    const out: StreamCandle[] = []
    for await (const c of ohlcv(feed, '1m')) out.push(c)
    const complete = new Map(out.map((c) => [(c.start - T0) / M, c.complete]))
    // minute 1 has the disconnect, minute 2 the time until subscribed; the gap lies between trades 4 and 7 (minutes 3–4)
    expect([...complete.entries()]).toEqual([
      [0, true],
      [1, false],
      [2, false],
      [3, false],
      [4, false],
      [5, true],
      [6, true],
    ])
    expect(listeners.get('status')).toEqual([])
  })
})
