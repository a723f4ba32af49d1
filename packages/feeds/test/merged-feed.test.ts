import type { Trade } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { openFeeds } from '../src/merged-feed.js'
import { startSimulator } from '../src/testing/simulator.js'
import { FAST } from './feed-harness.js'
import { waitFor } from './helpers.js'

describe('openFeeds', () => {
  it('merges several exchanges into one iterable stream, each trade tagged with its exchange, in order per exchange and symbol', async () => {
    const sims = await Promise.all([
      startSimulator({ exchange: 'binance', symbols: ['BTC-USDT'] }),
      startSimulator({ exchange: 'kraken', symbols: ['BTC-USD', 'ETH-USD'] }),
      startSimulator({ exchange: 'bitstamp', symbols: ['BTC-USD'] }),
    ])
    const [bn, kr, bs] = sims as [(typeof sims)[0], (typeof sims)[0], (typeof sims)[0]]
    const feed = openFeeds([
      { exchange: 'binance', symbols: ['BTC-USDT'], url: bn.url, restUrl: bn.restUrl, ...FAST },
      { exchange: 'kraken', symbols: ['BTC-USD', 'ETH-USD'], url: kr.url, restUrl: kr.restUrl, ...FAST },
      { exchange: 'bitstamp', symbols: ['BTC-USD'], url: bs.url, restUrl: bs.restUrl, ...FAST },
    ])
    const statuses = new Set<string>()
    feed.on('status', (s) => statuses.add(`${s.exchange}:${s.state}`))
    await waitFor(
      () =>
        sims.every((s) => s.subscribers() > 0) &&
        feed.stats().every((s) => Object.values(s.symbols).every((x) => x.subscription === 'subscribed')),
      'subscriptions',
    )
    bn.publish(30)
    kr.publish(30)
    bs.publish(30)
    const got: Trade[] = []
    for await (const ev of feed) {
      if (ev.type === 'trade') got.push(ev)
      if (got.length === 90) break
    }
    expect(new Set(got.map((t) => t.exchange))).toEqual(new Set(['binance', 'kraken', 'bitstamp']))
    for (const [ex, sim] of [
      ['binance', bn],
      ['kraken', kr],
      ['bitstamp', bs],
    ] as const) {
      for (const s of sim.tape.symbols) {
        expect(got.filter((t) => t.exchange === ex && t.symbol === s).map((t) => t.id)).toEqual(sim.trades(s).map((t) => String(t.id)))
      }
    }
    expect(statuses.has('kraken:subscribed') && statuses.has('binance:subscribed')).toBe(true)
    expect(feed.feeds.every((f) => f.closed)).toBe(true)
    await Promise.all(sims.map((s) => s.close()))
  })
})
