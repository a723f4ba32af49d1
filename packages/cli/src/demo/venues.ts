import type { CanonicalSymbol, Exchange } from '@k2/core'
import type { FeedOptions } from '@k2/feeds'
import { type ExchangeSimulator, startSimulator } from '@k2/feeds/testing'
import type { DemoMarket } from './market.js'

/** The demo's exchanges and pairs: BTC and ETH on each (Binance quotes in USDT). */
export const VENUES: readonly (readonly [Exchange, readonly CanonicalSymbol[]])[] = [
  ['binance', ['BTC-USDT', 'ETH-USDT']],
  ['kraken', ['BTC-USD', 'ETH-USD']],
  ['coinbase', ['BTC-USD', 'ETH-USD']],
  ['bitstamp', ['BTC-USD', 'ETH-USD']],
]

/** Pairs each exchange lists (its trades are spread over them). */
export const PAIRS_PER_VENUE = 2

/** The trouble the demo makes, one kind per exchange, and the tick it happens at. */
export const FAULTS: readonly { exchange: Exchange; tick: number; what: string; make: (sim: ExchangeSimulator) => void }[] = [
  { exchange: 'binance', tick: 10, what: 'drops 7 trade frames (a gap in trade ids)', make: (s) => s.skipNext(7) },
  { exchange: 'kraken', tick: 15, what: 'sends a malformed frame', make: (s) => s.sendMalformed('garbage') },
  { exchange: 'coinbase', tick: 20, what: 'drops the connection', make: (s) => s.disconnectAll() },
  { exchange: 'bitstamp', tick: 25, what: 'asks the client to reconnect (bts:request_reconnect)', make: (s) => s.requestReconnect(300) },
]

/** The last tick a fault happens at: the demo trades at least this long, so every fault happens. */
export const LAST_FAULT_TICK = Math.max(...FAULTS.map((f) => f.tick))

export interface Venue {
  exchange: Exchange
  symbols: readonly CanonicalSymbol[]
  sim: ExchangeSimulator
  feed: FeedOptions
}

/** Starts one simulated exchange per venue on 127.0.0.1, trading in `market`, and the feed options that reach it. */
export async function startVenues(market: DemoMarket): Promise<Venue[]> {
  const venues: Venue[] = []
  try {
    for (const [i, [exchange, symbols]] of VENUES.entries()) {
      const sim = await startSimulator({ exchange, symbols, seed: (Date.now() % 1_000_000) + i, market: market.of(exchange) })
      venues.push({
        exchange,
        symbols,
        sim,
        feed: { exchange, symbols, url: sim.url, restUrl: sim.restUrl, historyMinIntervalMs: 20, historyRetryMinMs: 50 },
      })
    }
  } catch (err) {
    await Promise.all(venues.map((v) => v.sim.close()))
    throw err
  }
  return venues
}
