import { K2Error, MICROS_PER_DAY, type Quote, type Trade } from '@k2/core'
import type { ReplayEvent } from '@k2/store'
import { describe, expect, it } from 'vitest'
import { T0, useTempLake } from './helpers.js'
import { bruteForceOrder, candle, candleEvent, collect, goldRow, lines, MINUTE, quoteRow, writeTrades } from './replay-support.js'

const EXCHANGES = ['binance', 'kraken', 'coinbase'] as const
const SYMBOLS = ['BTC-USDT', 'ETH-USDT'] as const

/** Trades over three days on three exchanges and two symbols, many at the same instant (ties). */
function tradesFixture(): Trade[] {
  const out: Trade[] = []
  let id = 1
  for (let day = 0; day < 3; day++) {
    for (let i = 0; i < 200; i++) {
      const ts = T0 + day * MICROS_PER_DAY + Math.floor(i / 3) * 7 * MINUTE // three trades share each instant
      for (const exchange of EXCHANGES) {
        for (const symbol of SYMBOLS) {
          if ((i + exchange.length + symbol.length) % 5 === 0) continue
          out.push({
            type: 'trade',
            exchange,
            symbol,
            id: String(id++ * 13),
            price: 100 + (i % 9),
            qty: 0.5,
            side: i % 2 ? 'buy' : 'sell',
            ts,
            recvTs: ts + 10,
          })
        }
      }
    }
  }
  return out
}

function quotesFixture(): Quote[] {
  const out: Quote[] = []
  for (let i = 0; i < 300; i++) {
    const ts = T0 + i * 11 * MINUTE
    for (const exchange of ['binance', 'kraken'] as const) {
      out.push({
        type: 'quote',
        exchange,
        symbol: 'BTC-USDT',
        ts,
        recvTs: ts + 5,
        bidPrice: 99 + (i % 3),
        bidQty: 1,
        askPrice: 101 + (i % 3),
        askQty: 2,
      })
    }
  }
  return out
}

function candlesFixture() {
  const out = []
  for (let m = 0; m < 3 * 24 * 60; m += 7) out.push(candle('binance', 'BTC-USDT', '1m', T0 + m * MINUTE, 100 + (m % 5)))
  for (let h = 0; h < 3 * 24; h++) out.push(candle('kraken', 'ETH-USDT', '1h', T0 + h * 60 * MINUTE, 50 + (h % 4)))
  return out
}

describe('lake.replay: one stream in exchange-time order, pinned, resumable', () => {
  const fx = useTempLake()

  async function seed() {
    const trades = tradesFixture()
    // Several commits: files of one partition overlap in time, as a live pipe writes them.
    for (let k = 0; k < 3; k++)
      await writeTrades(
        fx.lake,
        trades.filter((_, i) => i % 3 === k),
      )
    const quotes = quotesFixture()
    await (await fx.lake.table('silver.quotes')).append(quotes.map(quoteRow))
    const candles = candlesFixture()
    await (await fx.lake.table('gold.ohlcv')).append(candles.map(goldRow))
    return { trades, quotes, candles }
  }

  it('yields every trade, quote and closed candle of the range in the documented order (= a brute-force sort)', async () => {
    const { trades, quotes, candles } = await seed()
    const from = T0 + 6 * 60 * MINUTE
    const to = T0 + 2 * MICROS_PER_DAY + 3 * 60 * MINUTE
    const replay = fx.lake.replay({ from, to, channels: ['trades', 'quotes', 'candles'] })
    const got = await collect(replay)
    const expected: ReplayEvent[] = [...trades, ...quotes, ...candles.map(candleEvent)].filter((e) => e.ts >= from && e.ts < to)
    expected.sort(bruteForceOrder)
    expect(got.length).toBe(expected.length)
    expect(got).toEqual(expected)
    for (let i = 1; i < got.length; i++) expect(bruteForceOrder(got[i - 1] as ReplayEvent, got[i] as ReplayEvent)).toBeLessThan(0)
    // No candle before its close: each is yielded at start + timeframe, after every trade before that.
    let now = Number.NEGATIVE_INFINITY
    for (const e of got) {
      expect(e.ts).toBeGreaterThanOrEqual(now)
      now = e.ts
      if (e.type === 'candle') expect(e.ts).toBe(e.start + (e.timeframe === '1m' ? MINUTE : 60 * MINUTE))
    }
    expect(got.some((e) => e.type === 'candle' && e.start < from && e.ts >= from)).toBe(true) // started before, closed inside
  })

  it('filters by symbols, exchanges and candle timeframe', async () => {
    await seed()
    const got = await collect(
      fx.lake.replay({
        from: T0,
        to: T0 + MICROS_PER_DAY,
        symbols: ['ETH-USDT'],
        exchanges: ['kraken'],
        channels: ['trades', 'candles:1h'],
      }),
    )
    expect(got.length).toBeGreaterThan(100)
    expect(new Set(got.map((e) => `${e.type}/${e.exchange}/${e.symbol}`))).toEqual(
      new Set(['trade/kraken/ETH-USDT', 'candle/kraken/ETH-USDT']),
    )
  })

  it('reruns at the same snapshot give identical bytes, even after appends; the current snapshot sees them', async () => {
    const { trades } = await seed()
    const opts = { from: T0, to: T0 + 3 * MICROS_PER_DAY, channels: ['trades', 'quotes', 'candles:1m'] as const }
    const first = fx.lake.replay({ ...opts, channels: [...opts.channels] })
    const a = lines(await collect(first))
    const token = first.snapshot
    expect(token).toMatch(/^silver\.trades@\d+;silver\.quotes@\d+;gold\.ohlcv@\d+$/)
    const late = trades.slice(0, 50).map((t, i) => ({ ...t, id: String(9_000_000 + i) }))
    await writeTrades(fx.lake, late)
    await (await fx.lake.table('gold.ohlcv')).append([goldRow(candle('binance', 'BTC-USDT', '1m', T0 + 3 * MINUTE, 1))])
    const again = fx.lake.replay({ ...opts, channels: [...opts.channels], snapshot: token })
    expect(lines(await collect(again))).toEqual(a)
    expect(again.snapshot).toBe(token)
    const now = await collect(fx.lake.replay({ ...opts, channels: [...opts.channels] }))
    expect(now.length).toBe(a.length + late.length + 1)
  })

  it('resumes exactly after a position: the suffix, nothing repeated or lost', async () => {
    await seed()
    const opts = { from: T0, to: T0 + 3 * MICROS_PER_DAY, channels: ['trades', 'quotes', 'candles'] as ('trades' | 'quotes' | 'candles')[] }
    const whole = fx.lake.replay(opts)
    const all = lines(await collect(whole))
    for (const cut of [1, 137, Math.floor(all.length / 2), all.length - 1]) {
      const r = fx.lake.replay({ ...opts, snapshot: whole.snapshot })
      const head: string[] = []
      for await (const e of r) {
        head.push(JSON.stringify(e))
        if (head.length === cut) break
      }
      const position = JSON.parse(JSON.stringify(r.position)) // survives a round trip through storage
      // A later append is not seen: the position carries its snapshot.
      await writeTrades(fx.lake, [
        {
          type: 'trade',
          exchange: 'binance',
          symbol: 'BTC-USDT',
          id: `${cut}77777`,
          price: 1,
          qty: 1,
          side: 'buy',
          ts: T0 + 1,
          recvTs: T0 + 2,
        },
      ])
      const rest = lines(await collect(fx.lake.replay({ ...opts, from: position })))
      expect([...head, ...rest]).toEqual(all)
    }
  })

  it('resumes inside a run of identical events (equal quotes) by counting them', async () => {
    const q: Quote = {
      type: 'quote',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      ts: T0 + 5,
      recvTs: T0 + 6,
      bidPrice: 1,
      bidQty: 1,
      askPrice: 2,
      askQty: 1,
    }
    await (await fx.lake.table('silver.quotes')).append([quoteRow(q), quoteRow(q), quoteRow(q), quoteRow({ ...q, ts: T0 + 9 })])
    const opts = { from: T0, to: T0 + MINUTE, channels: ['quotes'] as 'quotes'[] }
    const r = fx.lake.replay(opts)
    const it = r[Symbol.asyncIterator]()
    await it.next()
    await it.next()
    expect(r.position?.n).toBe(2)
    const rest = await collect(fx.lake.replay({ ...opts, from: r.position as never }))
    expect(rest.map((e) => e.ts)).toEqual([T0 + 5, T0 + 9])
  })

  it('puts disconnect and unhealed-gap markers from bronze.coverage in the stream and tells status/gap listeners', async () => {
    await writeTrades(
      fx.lake,
      tradesFixture().filter((t) => t.ts < T0 + MICROS_PER_DAY),
    )
    const cov = await fx.lake.table('bronze.coverage')
    await cov.append([
      { exchange: 'binance', symbol: null, kind: 'connected', start_ts: T0, end_ts: T0 + 60 * MINUTE },
      { exchange: 'binance', symbol: null, kind: 'connected', start_ts: T0 + 65 * MINUTE, end_ts: T0 + MICROS_PER_DAY },
      {
        exchange: 'binance',
        symbol: 'BTC-USDT',
        kind: 'gap',
        start_ts: T0 + 70 * MINUTE,
        end_ts: T0 + 71 * MINUTE,
        from_id: '5',
        to_id: '9',
        state: 'unhealed',
      },
      {
        exchange: 'binance',
        symbol: 'BTC-USDT',
        kind: 'gap',
        start_ts: T0 + 80 * MINUTE,
        end_ts: T0 + 81 * MINUTE,
        from_id: '15',
        to_id: '19',
        state: 'healed',
      },
    ])
    const r = fx.lake.replay({ from: T0, to: T0 + MICROS_PER_DAY, channels: ['trades'], markers: true })
    const statuses: string[] = []
    const gaps: string[] = []
    r.on('status', (s) => statuses.push(`${s.state}@${s.ts}`))
    r.on('gap', (g) => gaps.push(`${g.fromId}-${g.toId}`))
    const got = await collect(r)
    const markers = got.filter((e) => e.type === 'disconnect')
    expect(markers).toEqual([
      { type: 'disconnect', exchange: 'binance', symbol: null, ts: T0 + 60 * MINUTE, until: T0 + 65 * MINUTE, reason: 'disconnected' },
      {
        type: 'disconnect',
        exchange: 'binance',
        symbol: 'BTC-USDT',
        ts: T0 + 70 * MINUTE,
        until: T0 + 71 * MINUTE,
        reason: 'gap',
        fromId: '5',
        toId: '9',
      },
    ])
    const at = got.indexOf(markers[0] as ReplayEvent)
    expect((got[at - 1] as ReplayEvent).ts).toBeLessThanOrEqual(T0 + 60 * MINUTE)
    expect((got[at + 1] as ReplayEvent).ts).toBeGreaterThanOrEqual(T0 + 60 * MINUTE)
    expect(statuses).toEqual([`disconnected@${T0 + 60 * MINUTE}`, `connected@${T0 + 65 * MINUTE}`])
    expect(gaps).toEqual(['5-9'])
  })

  it('replays book rows as snapshots and deltas grouped per event, best levels first', async () => {
    const book = await fx.lake.table('silver.book')
    const base = { exchange: 'binance', symbol: 'BTC-USDT' }
    await book.append([
      {
        type: 'book_snapshot',
        ...base,
        ts: T0 + 10,
        recvTs: T0 + 11,
        sequence: 100,
        bids: [
          [99, 1],
          [100, 2],
        ],
        asks: [
          [102, 1],
          [101, 3],
        ],
      },
      { type: 'book_delta', ...base, ts: T0 + 10, recvTs: T0 + 12, sequence: 101, firstSequence: 101, bids: [[100, 0]], asks: [] },
      { type: 'book_delta', ...base, ts: T0 + 20, recvTs: T0 + 21, sequence: 103, firstSequence: 102, bids: [], asks: [[101, 5]] },
    ] as never)
    const got = await collect(fx.lake.replay({ from: T0, to: T0 + MINUTE, channels: ['book'] }))
    expect(got).toEqual([
      {
        type: 'book_snapshot',
        ...base,
        ts: T0 + 10,
        recvTs: T0 + 11,
        sequence: 100,
        bids: [
          [100, 2],
          [99, 1],
        ],
        asks: [
          [101, 3],
          [102, 1],
        ],
      },
      { type: 'book_delta', ...base, ts: T0 + 10, recvTs: T0 + 12, sequence: 101, firstSequence: 101, bids: [[100, 0]], asks: [] },
      { type: 'book_delta', ...base, ts: T0 + 20, recvTs: T0 + 21, sequence: 103, firstSequence: 102, bids: [], asks: [[101, 5]] },
    ])
  })

  it('close() ends the iteration and releases the readers', async () => {
    await seed()
    const r = fx.lake.replay({ from: T0, to: T0 + 3 * MICROS_PER_DAY, channels: ['trades'] })
    let n = 0
    for await (const _ of r.batches(10)) {
      n++
      if (n === 2) await r.close()
    }
    expect(n).toBe(2)
  })

  it('refuses bad options with K2Error(VALIDATION) saying what to pass', async () => {
    const bad = (opts: unknown) => {
      try {
        fx.lake.replay(opts as never)
      } catch (err) {
        expect(K2Error.isInstance(err) && err.code).toBe('VALIDATION')
        return (err as Error).message
      }
      throw new Error('accepted')
    }
    expect(bad({ from: T0, to: T0 + 1, channels: ['trade'] })).toMatch(/unknown replay channel "trade"/)
    expect(bad({ from: T0, to: T0, channels: ['trades'] })).toMatch(/`to` must be after `from`/)
    expect(bad({ from: T0, to: T0 + 1, channels: [] })).toMatch(/needs `channels`/)
    expect(bad({ from: T0, to: T0 + 1, channels: ['candles:7x'] })).toMatch(/invalid timeframe/)
    expect(bad({ from: T0, to: T0 + 1, channels: ['trades'], symbols: ['btc'] })).toMatch(/symbol/)
    expect(bad({ from: T0, to: T0 + 1, channels: ['trades'], prefetch: 0 })).toMatch(/prefetch/)
    const r = fx.lake.replay({ from: T0, to: T0 + 1, channels: ['trades'], snapshot: 'nope' })
    await expect(collect(r)).rejects.toThrow(/invalid replay snapshot/)
    expect(() => fx.lake.replay({ from: T0, to: T0 + 1, channels: ['trades'] }).snapshot).toThrow(/not pinned yet/)
  })
})
