import type { CanonicalSymbol } from '@k2/core'

/**
 * The market a simulated exchange trades in, when the caller runs one (the demo does): the clock its
 * trades are stamped with, a price several exchanges print close to, and where trade ids start.
 * Without it a simulator walks its own random price from a fixed historical day, with random ids.
 *
 * ```ts
 * const market: SimMarket = { now: () => Date.now(), price: (_s, ms) => 65_000 * (1 + 0.001 * Math.sin(ms / 60_000)) }
 * const sim = await startSimulator({ exchange: 'kraken', symbols: ['BTC-USD'], market })
 * ```
 */
export interface SimMarket {
  /** Exchange time of the next trade, epoch ms (a clock that goes back is held where it was). */
  now(): number
  /**
   * The market price of `symbol` at `ms`. The exchange prints within 2 basis points of it (re-priced on
   * about a third of its trades, as the simulator's own walk is); without it, it walks its own price.
   */
  price?(symbol: CanonicalSymbol, ms: number): number
  /**
   * The first trade id of each symbol, e.g. one past the last id an earlier run printed. Bitstamp
   * numbers trades of every pair with one counter: it starts at the largest of these.
   */
  firstIds?: Readonly<Partial<Record<string, number>>>
}

/** How far from the market price an exchange prints: ± this fraction (2 bp). */
export const MARKET_JITTER = 0.0002
