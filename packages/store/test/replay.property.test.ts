import { join } from 'node:path'
import type { Quote, Trade } from '@k2/core'
import { type CandleEvent, openLake, type ReplayEvent } from '@k2/store'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { T0, tempDir } from './helpers.js'
import { bruteForceOrder, candle, candleEvent, collect, goldRow, MINUTE, quoteRow } from './replay-support.js'

const exchange = fc.constantFrom('binance', 'kraken', 'coinbase' as const)
const symbol = fc.constantFrom('BTC-USDT', 'ETH-USDT', 'SOL-USDT' as const)
/** Times on a coarse grid over two days, so many events share an instant. */
const time = fc.integer({ min: 0, max: 2 * 24 * 6 }).map((k) => T0 + k * 10 * MINUTE)

const tradeArb = fc.record({
  exchange,
  symbol,
  ts: time,
  id: fc.bigInt({ min: 1n, max: 10n ** 18n }),
  price: fc.integer({ min: 1, max: 9 }),
  side: fc.constantFrom('buy', 'sell', 'unknown' as const),
})
const quoteArb = fc.record({ exchange, symbol, ts: time, bid: fc.integer({ min: 1, max: 3 }), recv: fc.integer({ min: 0, max: 2 }) })
const candleArb = fc.record({ exchange, symbol, tf: fc.constantFrom('1m', '10m', '1h' as const), k: fc.integer({ min: 0, max: 40 }) })

describe('lake.replay equals a brute-force sort of every row by the documented order', () => {
  it('for random trades, quotes and candles written in random commits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(tradeArb, { maxLength: 60 }),
        fc.array(quoteArb, { maxLength: 30 }),
        fc.array(candleArb, { maxLength: 20 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2 * 24 * 6 }),
        async (tradeSpecs, quoteSpecs, candleSpecs, commits, cutK) => {
          const seen = new Set<string>()
          const trades: Trade[] = []
          for (const t of tradeSpecs) {
            const key = `${t.exchange}/${t.symbol}/${t.id}`
            if (seen.has(key)) continue // (exchange, symbol, id) is unique in the lake
            seen.add(key)
            trades.push({
              type: 'trade',
              exchange: t.exchange,
              symbol: t.symbol,
              id: String(t.id),
              price: t.price,
              qty: 1,
              side: t.side,
              ts: t.ts,
              recvTs: t.ts + 1,
            })
          }
          const quotes: Quote[] = quoteSpecs.map((q) => ({
            type: 'quote',
            exchange: q.exchange,
            symbol: q.symbol,
            ts: q.ts,
            recvTs: q.ts + q.recv,
            bidPrice: q.bid,
            bidQty: 1,
            askPrice: q.bid + 1,
            askQty: 1,
          }))
          const candleKeys = new Set<string>()
          const candles = candleSpecs
            .map((c) => {
              const width = c.tf === '1m' ? MINUTE : c.tf === '10m' ? 10 * MINUTE : 60 * MINUTE
              return candle(c.exchange, c.symbol, c.tf, T0 + c.k * width, 10 + c.k)
            })
            .filter((c) => {
              const key = `${c.exchange}/${c.symbol}/${c.timeframe}/${c.start}`
              return !candleKeys.has(key) && candleKeys.add(key)
            })
          const { dir, cleanup } = tempDir()
          const lake = await openLake(join(dir, 'lake'))
          try {
            const tradesTable = await lake.table('silver.trades')
            for (let c = 0; c < commits; c++) {
              const part = trades.filter((_, i) => i % commits === c)
              if (part.length) await tradesTable.append(part)
            }
            if (quotes.length) await (await lake.table('silver.quotes')).append(quotes.map(quoteRow))
            if (candles.length) await (await lake.table('gold.ohlcv')).append(candles.map(goldRow))
            const from = T0 + 10 * MINUTE
            const to = T0 + cutK * 10 * MINUTE + 1
            const expected: ReplayEvent[] = [...trades, ...quotes, ...candles.map((c): CandleEvent => candleEvent(c))]
              .filter((e) => e.ts >= from && e.ts < to)
              .sort(bruteForceOrder)
            if (to <= from) return
            const got = await collect(lake.replay({ from, to, channels: ['trades', 'quotes', 'candles'] }))
            expect(got).toEqual(expected)
          } finally {
            await lake.close()
            cleanup()
          }
        },
      ),
      { numRuns: 12 },
    )
  }, 240_000)
})
