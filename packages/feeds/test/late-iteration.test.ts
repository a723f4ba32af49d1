import type { MarketEvent } from '@k2/core'
import { K2Error } from '@k2/core'
import { openFeeds } from '@k2/feeds'
import { startSimulator } from '@k2/feeds/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { FAST, harness } from './feed-harness.js'
import { waitFor } from './helpers.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function take(it: AsyncIterator<MarketEvent>, n: number): Promise<MarketEvent[]> {
  const out: MarketEvent[] = []
  while (out.length < n) {
    const r = await it.next()
    if (r.done) break
    out.push(r.value)
  }
  return out
}

describe('iterating a feed some time after opening it', () => {
  it('a feed yields the trades that arrived before the first for-await, in order', async () => {
    const h = await harness('kraken')
    cleanups.push(h.close)
    await waitFor(() => h.sim.subscribers() > 0, 'subscription')
    h.sim.publish(40)
    await waitFor(() => h.trades.length === 40, '40 trades') // delivered to listeners; nobody iterates yet
    const events = h.feed[Symbol.asyncIterator]()
    h.sim.publish(10)
    const got = await take(events, 50)
    const printed = h.sim.tape.symbols.flatMap((s) => h.sim.trades(s).map((t) => `${s}:${t.id}`))
    expect(got.map((e) => (e.type === 'trade' ? `${e.symbol}:${e.id}` : '')).sort()).toEqual(printed.sort())
  })

  it('fails loudly, not with a silent hole, when more than bufferSize arrived first', async () => {
    const h = await harness('binance', { bufferSize: 8 })
    cleanups.push(h.close)
    await waitFor(() => h.sim.subscribers() > 0, 'subscription')
    h.sim.publish(20)
    await waitFor(() => h.trades.length === 20, '20 trades')
    expect(() => h.feed[Symbol.asyncIterator]()).toThrowError(K2Error)
    expect(() => h.feed[Symbol.asyncIterator]()).toThrowError(/before it was iterated/)
  })

  it('merged feeds keep early trades too', async () => {
    const sims = await Promise.all([
      startSimulator({ exchange: 'binance', symbols: ['BTC-USDT'], seed: 3 }),
      startSimulator({ exchange: 'bitstamp', symbols: ['BTC-USD'], seed: 4 }),
    ])
    const feed = openFeeds(sims.map((s) => ({ exchange: s.exchange, symbols: s.tape.symbols, url: s.url, restUrl: s.restUrl, ...FAST })))
    cleanups.push(async () => {
      await feed.close()
      await Promise.all(sims.map((s) => s.close()))
    })
    let seen = 0
    feed.on('trade', () => seen++)
    await waitFor(() => sims.every((s) => s.subscribers() > 0), 'subscriptions')
    for (const s of sims) s.publish(15)
    await waitFor(() => seen === 30, '30 trades')
    const got = await take(feed[Symbol.asyncIterator](), 30)
    expect(got).toHaveLength(30)
    expect(new Set(got.map((e) => e.exchange))).toEqual(new Set(['binance', 'bitstamp']))
  })
})
