import { type CanonicalSymbol, EXCHANGES, K2Error } from '@k2/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { KrakenAdapter } from '../src/adapters/kraken.js'
import { openFeed } from '../src/feed.js'
import { caughtUp, expectExactlyTape, FAST, type Harness, harness, subscribed } from './feed-harness.js'
import { manualClock, sleep, waitFor } from './helpers.js'

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

describe('feeds facing a hostile or broken server', () => {
  for (const exchange of ['kraken', 'coinbase', 'bitstamp'] as const) {
    it(`${exchange}: a refused subscription is reported with code SUBSCRIPTION, and the other symbols keep streaming`, async () => {
      const good = exchange === 'kraken' ? 'BTC-USD' : 'ETH-USD'
      h = await harness(exchange, { symbols: [good, 'QQQ-USD'] })
      await waitFor(() => h?.errors.some((e) => e.code === 'SUBSCRIPTION') === true, 'the refusal')
      expect(h.feed.stats().symbols['QQQ-USD']?.subscription).toBe('rejected')
      expect(h.errors.find((e) => e.code === 'SUBSCRIPTION')?.message).toMatch(/QQQ/)
      if (exchange === 'coinbase') return // Coinbase refuses the whole request: nothing is subscribed
      await subscribed(h, [good])
      h.sim.publish(20, { symbol: good })
      await waitFor(() => h?.feed.stats().trades === 20, 'trades of the good symbol')
      expect(h.feed.stats().connections).toBe(1)
    })
  }

  it('binance: a symbol the exchange accepts but never serves is reported stale and renewed (injected clock)', async () => {
    const clock = manualClock()
    h = await harness('binance', { symbols: ['BTC-USDT', 'QQQ-USDT'], clock: clock.now, staleAfterMs: 60_000 })
    await subscribed(h, ['BTC-USDT'])
    await waitFor(() => h?.feed.stats().symbols['QQQ-USDT']?.subscription === 'subscribed', 'the silent ack')
    clock.advance(30_000)
    h.sim.publish(3, { symbol: 'BTC-USDT' })
    await waitFor(() => h?.feed.stats().trades === 3, 'BTC trades')
    clock.advance(31_000) // QQQ now 61 s quiet, BTC 31 s
    await waitFor(() => h?.statuses.some((s) => s.state === 'stale') === true, 'a stale report')
    const stale = h.statuses.filter((s) => s.state === 'stale')
    expect(stale).toHaveLength(1)
    expect(stale[0]?.symbols).toEqual(['QQQ-USDT'])
    // Renewed: a new subscription request went out and was acknowledged.
    await waitFor(() => h?.feed.stats().symbols['QQQ-USDT']?.subscription === 'subscribed', 'the renewed subscription')
  })

  it('a server that never answers subscriptions: SUBSCRIPTION errors and new connections, never a crash', async () => {
    h = await harness('kraken', { subscribeTimeoutMs: 100 }, { ackSubscriptions: false })
    await waitFor(() => (h?.sim.connectionsTotal ?? 0) >= 3, 'repeated connection attempts')
    expect(h.errors.filter((e) => e.code === 'SUBSCRIPTION').length).toBeGreaterThanOrEqual(2)
    expect(h.errors.every((e) => K2Error.isInstance(e))).toBe(true)
    expect(h.trades).toEqual([])
  })

  it('a server that closes every connection after a moment: every trade still arrives once, in order', async () => {
    h = await harness('kraken', {}, { closeEveryMs: 250 })
    await subscribed(h)
    const until = Date.now() + 2000
    while (Date.now() < until) {
      h.sim.publish(3)
      await sleep(15)
    }
    await waitFor(() => (h?.sim.subscribers() ?? 0) > 0, 'a live connection')
    h.sim.publish(5, { symbol: 'BTC-USD' })
    h.sim.publish(5, { symbol: 'ETH-USD' })
    await caughtUp(h)
    expectExactlyTape(h)
    expect(h.feed.stats().reconnects).toBeGreaterThanOrEqual(3)
    expect(h.errors.some((e) => e.code === 'CONNECTION')).toBe(true)
  })

  it('a silent connection is declared dead (injected clock) and replaced; trades printed meanwhile are healed', async () => {
    const clock = manualClock()
    h = await harness('coinbase', { clock: clock.now, deadAfterMs: 5_000, healthyAfterMs: 1 })
    await subscribed(h)
    h.sim.publish(10)
    await caughtUp(h)
    h.sim.setSilent(true)
    h.sim.publish(10) // lost on the wire
    clock.advance(6_000)
    await waitFor(() => h?.errors.some((e) => /silent/.test(e.message)) === true, 'the watchdog')
    h.sim.setSilent(false)
    await waitFor(() => (h?.sim.connectionsTotal ?? 0) >= 2, 'a new connection')
    // A subscription sent while the server was still silent is never answered: the subscription timeout,
    // on the injected clock, replaces that connection. Move the clock until a subscription is answered.
    for (
      let i = 0;
      !h.feed.symbols.every((s) => h?.feed.stats().symbols[s]?.subscription === 'subscribed' && h.sim.subscribers(s) > 0);
      i++
    ) {
      if (i > 100) throw new Error('no subscription was answered after the silence')
      if (i > 0 && i % 10 === 0) clock.advance(11_000)
      await sleep(50)
    }
    await subscribed(h)
    h.sim.publish(10)
    await caughtUp(h)
    expectExactlyTape(h)
  })

  it('nothing listening: CONNECTION errors with backoff until closed', async () => {
    const feed = openFeed({ exchange: 'bitstamp', symbols: ['BTC-USD'], url: 'ws://127.0.0.1:9', ...FAST })
    const errors: K2Error[] = []
    feed.on('error', (e) => errors.push(e))
    await waitFor(() => errors.length >= 3, 'retries')
    expect(errors.every((e) => e.code === 'CONNECTION' && /could not connect/.test(e.message))).toBe(true)
    await feed.close()
    const n = errors.length
    await sleep(300)
    expect(errors.length).toBe(n) // closing stops the retries
  })

  it('rejects bad options with VALIDATION errors that say what to do', () => {
    const bad = [
      { exchange: 'mtgox', symbols: ['BTC-USD'] },
      { exchange: 'kraken', symbols: [] },
      { exchange: 'kraken', symbols: ['btc/usd'] },
      { exchange: 'kraken', symbols: ['BTC-USD'], channels: ['aggTrades'] },
      { exchange: 'binance', symbols: ['BTC-USDT'], channels: ['trades', 'aggTrades'] },
      { exchange: 'kraken', symbols: ['BTC-USD'], url: 'ftp://x' },
      { exchange: 'kraken', symbols: ['BTC-USD'], bufferSize: 1 },
      { exchange: 'kraken', symbols: ['BTC-USD'], pingIntervalMs: -5 },
    ]
    for (const o of bad) {
      const err = (() => {
        try {
          openFeed(o as never)
        } catch (e) {
          return e
        }
      })()
      expect(K2Error.isInstance(err), JSON.stringify(o)).toBe(true)
      expect((err as K2Error).code).toBe('VALIDATION')
      expect((err as K2Error).message.length).toBeGreaterThan(20)
    }
  })
})

describe('hostile frames on a live connection (issue #11)', () => {
  for (const exchange of EXCHANGES) {
    it(`${exchange}: a trade frame nested 20,000 deep is dead-lettered and the same connection keeps delivering`, async () => {
      h = await harness(exchange)
      await subscribed(h)
      h.sim.publish(3, { symbol: h.feed.symbols[0] as CanonicalSymbol })
      for (const kind of ['deep-array-id', 'deep-array-price', 'deep-object-qty', 'deep-frame'] as const) h.sim.sendHostile(kind)
      h.sim.publish(5, { symbol: h.feed.symbols[0] as CanonicalSymbol })
      await caughtUp(h)
      expectExactlyTape(h)
      expect(h.dlq.map((d) => d.errorCode)).toEqual(['PROTOCOL', 'PROTOCOL', 'PROTOCOL', 'PROTOCOL'])
      expect(h.dlq.every((d) => d.errorMessage.length < 300)).toBe(true)
      expect(h.sim.connectionsTotal).toBe(1)
      expect(h.feed.stats().reconnects).toBe(0)
    })

    it(`${exchange}: forged prices ("0x1F4", "0b111", " 65000.5") carrying the next real id are dead-lettered, and the real trade with that id is emitted`, async () => {
      h = await harness(exchange)
      await subscribed(h)
      const symbol = h.feed.symbols[0] as CanonicalSymbol
      h.sim.publish(2, { symbol })
      for (const kind of ['hex-price', 'binary-price', 'leading-space-price'] as const) {
        h.sim.sendHostile(kind, symbol)
        h.sim.publish(1, { symbol })
      }
      await caughtUp(h)
      expectExactlyTape(h)
      expect(h.dlq).toHaveLength(3)
      expect(h.trades.map((t) => t.price)).toEqual(h.sim.trades(symbol).map((t) => t.price))
      expect(h.gaps).toEqual([])
    })
  }

  it('an adapter that throws (a bug) gives a dead letter and an INTERNAL error, and the socket keeps being read', async () => {
    h = await harness('kraken')
    await subscribed(h)
    h.sim.publish(2, { symbol: 'BTC-USD' })
    await caughtUp(h)
    const original = KrakenAdapter.prototype.parse
    let thrown = 0
    const spy = vi.spyOn(KrakenAdapter.prototype, 'parse').mockImplementation(function (this: KrakenAdapter, frame, recvTs) {
      if (thrown === 0 && frame.includes('"type":"update"')) {
        thrown++
        throw new TypeError('an adapter bug')
      }
      return original.call(this, frame, recvTs)
    })
    try {
      h.sim.publish(10, { symbol: 'BTC-USD' })
      await caughtUp(h)
    } finally {
      spy.mockRestore()
    }
    expect(thrown).toBe(1)
    expect(h.dlq).toHaveLength(1)
    expect(h.dlq[0]?.errorCode).toBe('INTERNAL')
    expect(h.dlq[0]?.raw).toContain('"channel":"trade"')
    const internal = h.errors.filter((e) => e.code === 'INTERNAL')
    expect(internal).toHaveLength(1)
    expect(internal[0]?.message).toMatch(/TypeError: an adapter bug.*report/)
    // The lost frame's trade is a gap that heals from history: nothing is missing, and no reconnect happened.
    expectExactlyTape(h)
    expect(h.sim.connectionsTotal).toBe(1)
    expect(h.feed.stats().reconnects).toBe(0)
  })

  it('a trade listener that throws is reported as an error, and later trades keep arriving', async () => {
    h = await harness('binance')
    await subscribed(h)
    let calls = 0
    h.feed.on('trade', () => {
      if (calls++ === 0) throw new Error('a listener bug')
    })
    h.sim.publish(1, { symbol: 'BTC-USDT' })
    await waitFor(() => h?.errors.some((e) => /a listener bug/.test(e.message)) === true, 'the listener error')
    h.sim.publish(4, { symbol: 'BTC-USDT' })
    await caughtUp(h)
    expectExactlyTape(h)
    expect(h.errors.find((e) => /a listener bug/.test(e.message))?.code).toBe('INTERNAL')
    expect(h.sim.connectionsTotal).toBe(1)
  })
})
