import type { CanonicalSymbol } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { openFeed } from '../src/feed.js'
import { MARKET_JITTER, type SimMarket } from '../src/testing/market.js'
import { startSimulator } from '../src/testing/simulator.js'
import { mulberry32, Tape } from '../src/testing/tape.js'
import { FAST } from './feed-harness.js'
import { waitFor } from './helpers.js'

const price = (symbol: CanonicalSymbol, ms: number) => (symbol.startsWith('BTC') ? 65_000 : 3_200) * (1 + 0.002 * Math.sin(ms / 60_000))

describe('simulator market (the clock, price and first ids a caller gives it)', () => {
  it('stamps trades with the market clock, never going back, for any clock', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const rand = mulberry32(seed)
      let t = Date.UTC(2026, 10, 30, 12)
      const clock: SimMarket = { now: () => (t += Math.floor((rand() - 0.3) * 5_000)) } // goes back about a third of the time
      const tape = new Tape('binance', ['BTC-USDT', 'ETH-USDT'], seed, undefined, undefined, clock)
      let held = t // the tape's clock starts where the market's was when it opened
      const seen: number[] = []
      const expected: number[] = []
      for (let i = 0; i < 200; i++) {
        const trade = tape.next()
        held = Math.max(held, t)
        seen.push(trade.ts)
        expected.push(held * 1000)
      }
      expect(seen).toEqual(expected)
    }
  })

  it('prints within 2 bp of the market price, and starts the ids where it is told', () => {
    let t = Date.UTC(2026, 10, 30, 12)
    const market: SimMarket = { now: () => (t += 700), price, firstIds: { 'BTC-USD': 5_000, 'ETH-USD': 900 } }
    const coinbase = new Tape('coinbase', ['BTC-USD', 'ETH-USD'], 4, undefined, undefined, market)
    for (let i = 0; i < 2_000; i++) coinbase.next()
    for (const symbol of ['BTC-USD', 'ETH-USD'] as const) {
      const trades = coinbase.trades(symbol)
      expect(trades[0]?.id).toBe(symbol === 'BTC-USD' ? 5_000 : 900)
      expect(trades.map((x) => x.id)).toEqual(trades.map((_, i) => (trades[0]?.id ?? 0) + i))
      // A trade whose price differs from the one before was re-priced at its own time (rounded to the cent).
      const repriced = trades.filter((x, i) => i > 0 && x.priceText !== trades[i - 1]?.priceText)
      for (const x of repriced)
        expect(Math.abs(x.price / price(symbol, x.ts / 1000) - 1)).toBeLessThanOrEqual(MARKET_JITTER + 0.005 / x.price)
      // it is re-priced from the market, not left at its first price
      expect(new Set(trades.map((x) => x.priceText)).size).toBeGreaterThan(100)
    }
    // Bitstamp numbers every pair's trades with one counter: it continues from the largest first id.
    const bitstamp = new Tape('bitstamp', ['BTC-USD', 'ETH-USD'], 4, undefined, undefined, market)
    expect([bitstamp.next().id, bitstamp.next().id, bitstamp.next().id]).toEqual([5_000, 5_001, 5_002])
  })

  it('a feed on a simulator in a market receives the market-stamped trades', async () => {
    let t = Date.UTC(2026, 10, 30, 9)
    const market: SimMarket = { now: () => (t += 1_000), price, firstIds: { 'BTC-USD': 42 } }
    const sim = await startSimulator({ exchange: 'kraken', symbols: ['BTC-USD'], market })
    const feed = openFeed({ exchange: 'kraken', symbols: ['BTC-USD'], url: sim.url, restUrl: sim.restUrl, ...FAST })
    const got: { id: string; ts: number }[] = []
    feed.on('trade', (x) => got.push({ id: x.id, ts: x.ts }))
    try {
      await waitFor(() => sim.subscribers() > 0 && feed.stats().symbols['BTC-USD']?.subscription === 'subscribed', 'subscription')
      const printed = sim.publish(5)
      await waitFor(() => got.length === 5, 'five trades')
      expect(got).toEqual(printed.map((x) => ({ id: String(x.id), ts: x.ts })))
      expect(got[0]?.id).toBe('42')
      expect(got.map((x) => x.ts / 1000 - Date.UTC(2026, 10, 30, 9))).toEqual([2_000, 3_000, 4_000, 5_000, 6_000])
    } finally {
      await feed.close()
      await sim.close()
    }
  })
})
