import type { CanonicalSymbol } from '@k2/core'
import { afterEach, describe, expect, it } from 'vitest'
import { caughtUp, expectExactlyTape, type Harness, harness, subscribed } from './feed-harness.js'
import { waitFor } from './helpers.js'

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

// Kraken v2 answers a trade subscription (snapshot: true) with its last 50 trades, Coinbase's
// market_trades with its last 100: real trades with real ids, which the feed emits.
const SNAPSHOT = { kraken: 50, coinbase: 100 } as const
const PAST = 150

describe.each(['kraken', 'coinbase'] as const)('%s subscribe snapshots', (exchange) => {
  const size = SNAPSHOT[exchange]

  it(`emits the ${size} snapshot trades of the first subscription, oldest first, then the live ones; coverage starts at the oldest`, async () => {
    h = await harness(exchange, {}, { pastTrades: PAST })
    await subscribed(h)
    h.sim.publish(20, { perFrame: 3 })
    await caughtUp(h)
    const from = Object.fromEntries(h.feed.symbols.map((s) => [s, PAST - size]))
    expectExactlyTape(h, from)
    for (const s of h.feed.symbols) {
      const tape = h.sim.trades(s as CanonicalSymbol)
      expect(h.feed.stats().symbols[s]?.firstId).toBe(String(tape[PAST - size]?.id))
    }
    expect(h.gaps).toEqual([])
    expect(h.sim.restRequests).toBe(0)
  })

  it('after a reconnect, the new snapshot fills in what the connection missed, and its repeats are dropped', async () => {
    h = await harness(exchange, {}, { pastTrades: PAST })
    await subscribed(h)
    h.sim.publish(10)
    await caughtUp(h)
    h.sim.disconnectAll()
    h.sim.publish(size - 20) // printed while no client is connected: within the next snapshot
    await waitFor(() => (h?.sim.connectionsTotal ?? 0) >= 2, 'a new connection')
    await subscribed(h)
    h.sim.publish(10)
    await caughtUp(h)
    expectExactlyTape(h, Object.fromEntries(h.feed.symbols.map((s) => [s, PAST - size])))
    expect(h.gaps).toEqual([])
    expect(h.sim.restRequests).toBe(0) // the snapshot, not the REST history, filled the hole
    expect(h.feed.stats().duplicates).toBeGreaterThanOrEqual(2 * 20) // each symbol's snapshot repeats at least 20 emitted trades
  })
})

describe.each(['binance', 'bitstamp'] as const)('%s (no subscribe snapshot)', (exchange) => {
  it('emits only the trades printed after the subscription, starting coverage at the first live one', async () => {
    h = await harness(exchange, {}, { pastTrades: PAST })
    await subscribed(h)
    h.sim.publish(20)
    await caughtUp(h)
    expectExactlyTape(h, Object.fromEntries(h.feed.symbols.map((s) => [s, PAST])))
    for (const s of h.feed.symbols) {
      const first = h.trades.find((t) => t.symbol === s)
      if (first !== undefined) expect(h.feed.stats().symbols[s]?.firstId).toBe(first.id)
    }
  })
})
