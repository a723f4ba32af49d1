import { type CanonicalSymbol, type Exchange, K2Error, type Side, validateSymbol } from '@k2/core'
import { MARKET_JITTER, type SimMarket } from './market.js'

/** One trade as the simulated exchange recorded it: the ground truth a feed must reproduce. */
export interface TapeTrade {
  symbol: CanonicalSymbol
  id: number
  /** Price and size exactly as printed on the wire. */
  priceText: string
  qtyText: string
  price: number
  qty: number
  /** Taker side. */
  side: Exclude<Side, 'unknown'>
  /** Exchange time, epoch µs (whole milliseconds, as most exchanges stamp trades). */
  ts: number
}

/** A small, fast, seedable PRNG (mulberry32), so a seed always gives the same market. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const BASE_PRICES: Record<string, number> = { BTC: 65_000, ETH: 3_200, SOL: 150, XRP: 0.6, DOGE: 0.15, LTC: 80 }

interface Series {
  nextId: number
  price: number
  priceText: string
  decimals: number
  trades: TapeTrade[]
}

const QTY_POOL = 4096

/**
 * The simulated exchange's trade history: realistic random-walk trades per symbol with contiguous ids
 * (Bitstamp: one id counter across all pairs, as there). Everything generated is kept, so tests compare
 * what a feed emitted with what the exchange "printed", and the REST history serves from it.
 */
export class Tape {
  private readonly series = new Map<CanonicalSymbol, Series>()
  private readonly rand: () => number
  /** Trade sizes drawn once (heavy-tailed, as real sizes are); formatting each anew dominated generation. */
  private readonly qtyPool: string[]
  private globalId: number
  private clockMs: number

  constructor(
    readonly exchange: Exchange,
    symbols: readonly string[],
    seed: number,
    startMs = Date.UTC(2026, 0, 5, 12),
    /** Trades kept per symbol (oldest dropped first); unlimited by default. Long benchmarks bound it. */
    private readonly keep = Number.POSITIVE_INFINITY,
    /** The market's clock, price and first ids, instead of `startMs`, a random walk and random ids. */
    private readonly market?: SimMarket,
  ) {
    if (symbols.length === 0) throw new K2Error('VALIDATION', 'the simulator needs at least one symbol')
    this.rand = mulberry32(seed)
    this.clockMs = market ? Math.floor(market.now()) : startMs
    this.globalId = 100_000_000 + Math.floor(this.rand() * 1_000_000)
    const firstIds = Object.values(market?.firstIds ?? {}).filter((id) => id !== undefined)
    if (firstIds.length > 0) this.globalId = Math.max(...firstIds)
    for (const raw of symbols) {
      const symbol = validateSymbol(raw)
      const base = market?.price?.(symbol, this.clockMs) ?? BASE_PRICES[symbol.split('-')[0] as string] ?? 1 + this.rand() * 99
      const decimals = base >= 1000 ? 2 : base >= 10 ? 3 : 5
      const randomId = 1_000_000 + Math.floor(this.rand() * 9_000_000)
      this.series.set(symbol, {
        nextId: market?.firstIds?.[symbol] ?? randomId,
        price: base,
        priceText: base.toFixed(decimals),
        decimals,
        trades: [],
      })
    }
    this.qtyPool = Array.from({ length: QTY_POOL }, () => (0.0001 + this.rand() ** 3 * 2).toFixed(8))
  }

  get symbols(): CanonicalSymbol[] {
    return [...this.series.keys()]
  }

  has(symbol: string): boolean {
    return this.series.has(symbol as CanonicalSymbol)
  }

  /** All trades of `symbol` so far, oldest first. */
  trades(symbol: CanonicalSymbol): readonly TapeTrade[] {
    return this.series.get(symbol)?.trades ?? []
  }

  /**
   * The trade `next(symbol)` would print, as far as it is known without printing it: the next id, the
   * current price, a size and time. The market does not move (nothing is drawn from the seed).
   */
  upcoming(symbol: CanonicalSymbol): TapeTrade {
    const s = this.series.get(symbol)
    if (s === undefined) throw new K2Error('VALIDATION', `the simulator does not list ${symbol}; add it to its symbols`)
    const qtyText = this.qtyPool[0] as string
    const id = this.exchange === 'bitstamp' ? this.globalId : s.nextId
    return {
      symbol,
      id,
      priceText: s.priceText,
      qtyText,
      price: Number(s.priceText),
      qty: Number(qtyText),
      side: 'buy',
      ts: this.clockMs * 1000,
    }
  }

  /** The next trade of `symbol` (a random symbol when omitted). */
  next(symbol?: CanonicalSymbol): TapeTrade {
    let chosen = symbol
    if (chosen === undefined) {
      const symbols = this.symbols
      chosen = symbols[Math.floor(this.rand() * symbols.length)] as CanonicalSymbol
    }
    const s = this.series.get(chosen)
    if (s === undefined) throw new K2Error('VALIDATION', `the simulator does not list ${chosen}; add it to its symbols`)
    const step = Math.floor(this.rand() * 3)
    this.clockMs = this.market ? Math.max(this.clockMs, Math.floor(this.market.now())) : this.clockMs + step
    // Runs of trades at one price are the norm on real tapes: the price moves on about a third of trades.
    if (this.rand() < 0.35) {
      const move = this.rand() - 0.5
      const market = this.market?.price?.(chosen, this.clockMs)
      s.price = Math.max(market === undefined ? s.price * (1 + move * 0.0006) : market * (1 + move * 2 * MARKET_JITTER), 10 ** -s.decimals)
      s.priceText = s.price.toFixed(s.decimals)
    }
    const priceText = s.priceText
    const qtyText = this.qtyPool[Math.floor(this.rand() * QTY_POOL)] as string
    const id = this.exchange === 'bitstamp' ? this.globalId++ : s.nextId++
    const trade: TapeTrade = {
      symbol: chosen,
      id,
      priceText,
      qtyText,
      price: Number(priceText),
      qty: Number(qtyText),
      side: this.rand() < 0.5 ? 'buy' : 'sell',
      ts: this.clockMs * 1000,
    }
    s.trades.push(trade)
    if (s.trades.length > this.keep * 2) s.trades = s.trades.slice(-this.keep)
    return trade
  }
}
