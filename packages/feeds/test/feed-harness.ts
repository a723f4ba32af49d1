import type { CanonicalSymbol, DeadLetter, Exchange, FeedStatus, Gap, K2Error, Trade } from '@k2/core'
import { expect } from 'vitest'
import { type Feed, openFeed } from '../src/feed.js'
import type { FeedOptions } from '../src/feed-options.js'
import { type ExchangeSimulator, type SimulatorOptions, startSimulator } from '../src/testing/simulator.js'
import { waitFor } from './helpers.js'

export const SYMBOLS: Record<Exchange, CanonicalSymbol[]> = {
  binance: ['BTC-USDT', 'ETH-USDT'],
  kraken: ['BTC-USD', 'ETH-USD'],
  coinbase: ['BTC-USD', 'ETH-USD'],
  bitstamp: ['BTC-USD', 'ETH-USD'],
}

/** Fast timings for loopback tests (the defaults suit real exchanges). */
export const FAST = {
  backoff: { minMs: 10, maxMs: 200 },
  historyMinIntervalMs: 0,
  historyRetryMinMs: 10,
  tickMs: 20,
  pingIntervalMs: 200,
} satisfies Partial<FeedOptions>

/** A simulator, a feed pointed at it, and everything the feed reported. */
export interface Harness {
  sim: ExchangeSimulator
  feed: Feed
  trades: Trade[]
  gaps: Gap[]
  dlq: DeadLetter[]
  errors: K2Error[]
  statuses: FeedStatus[]
  close(): Promise<void>
}

export async function harness(
  exchange: Exchange,
  feedOptions: Partial<FeedOptions> = {},
  simOptions: Partial<SimulatorOptions> = {},
): Promise<Harness> {
  const symbols = (feedOptions.symbols as CanonicalSymbol[] | undefined) ?? SYMBOLS[exchange]
  const sim = await startSimulator({ exchange, symbols: SYMBOLS[exchange], ...simOptions })
  const feed = openFeed({ exchange, url: sim.url, restUrl: sim.restUrl, ...FAST, ...feedOptions, symbols })
  const h: Harness = {
    sim,
    feed,
    trades: [],
    gaps: [],
    dlq: [],
    errors: [],
    statuses: [],
    close: async () => {
      await feed.close()
      await sim.close()
    },
  }
  feed.on('trade', (t) => h.trades.push(t))
  feed.on('gap', (g) => h.gaps.push(g))
  feed.on('dlq', (d) => h.dlq.push(d))
  feed.on('error', (e) => h.errors.push(e))
  feed.on('status', (s) => h.statuses.push(s))
  return h
}

/** Waits until the feed has confirmed subscriptions for `symbols` (default all of the simulator's). */
export async function subscribed(h: Harness, symbols: readonly CanonicalSymbol[] = h.feed.symbols): Promise<void> {
  await waitFor(() => symbols.every((s) => h.feed.stats().symbols[s]?.subscription === 'subscribed'), 'subscription acks')
  await waitFor(() => symbols.every((s) => h.sim.subscribers(s) > 0), 'the simulator to see the subscription')
}

/** Waits until the feed has emitted the tape's last trade of every symbol that has trades. */
export async function caughtUp(h: Harness, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    () =>
      h.feed.symbols.every((s) => {
        const tape = h.sim.trades(s)
        const last = tape[tape.length - 1]
        return last === undefined || h.feed.stats().symbols[s]?.lastId === String(last.id)
      }),
    'the feed to emit the last published trade of each symbol',
    timeoutMs,
  )
}

/** The feed emitted exactly the tape's trades from index `from` on, once each, in order per symbol, with the tape's values. */
export function expectExactlyTape(h: Harness, from: Partial<Record<CanonicalSymbol, number>> = {}): void {
  // Bitstamp's REST history has whole seconds only: trades recovered from it carry second precision.
  const time = (ts: number | undefined) => (h.feed.exchange === 'bitstamp' && ts !== undefined ? Math.floor(ts / 1e6) : ts)
  for (const s of h.feed.symbols) {
    const want = h.sim.trades(s).slice(from[s] ?? 0)
    const got = h.trades.filter((t) => t.symbol === s)
    expect(
      got.map((t) => t.id),
      `${s} ids`,
    ).toEqual(want.map((t) => String(t.id)))
    got.forEach((t, i) => {
      const w = want[i]
      expect([t.price, t.qty, t.side, time(t.ts)], `${s} trade ${t.id}`).toEqual([w?.price, w?.qty, w?.side, time(w?.ts)])
    })
  }
}
