import type { CanonicalSymbol } from '@k2/core'
import type { SimMarket } from '@k2/feeds/testing'

/** The most market time a run covers: the last two hours, ending now. */
export const MAX_SPAN_MS = 2 * 60 * 60 * 1000
/** A shorter run covers less, so that each pair still trades about this often in every minute. */
const TRADES_PER_MINUTE = 15

/** The market time a run covers when each pair prints `tradesPerPair` trades: two hours, or less for a short run. */
export function marketSpan(tradesPerPair: number): number {
  return Math.min(MAX_SPAN_MS, Math.floor((tradesPerPair / TRADES_PER_MINUTE) * 60_000))
}

const BASE: Record<string, number> = { BTC: 65_000, ETH: 3_200 }

// The price path: a sum of slow waves per asset (periods in minutes, amplitudes as fractions of the
// price, one phase per asset). Every exchange prints within 2 bp of it, so their candles agree, as
// real venues' do. Its whole range is ±0.2 %: a rerun hours later continues it without a jump the
// price-jump check would report (it looks for moves over 0.5 %).
const WAVES: readonly [periodMin: number, amplitude: number][] = [
  [3.1, 0.0002],
  [11, 0.0004],
  [37, 0.0006],
  [97, 0.0008],
]

/** The demo market's price of `symbol` at `ms` (USDT taken at par with USD). */
export function marketPrice(symbol: CanonicalSymbol, ms: number): number {
  const asset = symbol.split('-')[0] as string
  const base = BASE[asset] ?? 100
  const phase = asset === 'BTC' ? 0 : 1.7
  let x = 0
  for (const [i, [period, amplitude]] of WAVES.entries())
    x += amplitude * Math.sin((2 * Math.PI * ms) / (period * 60_000) + phase * (i + 1))
  return base * (1 + x)
}

/**
 * The market the demo's four exchanges trade in. Its clock runs fast, from `startMs` (up to two hours
 * ago, or where the lake's trades end) to `endMs` (the wall clock at the run's planned end, so no candle
 * is in the future), in `ticks` equal steps the demo sets one by one with `tick(i)`; within a step
 * each exchange's trades are spread evenly. Time is counted in ticks, not read off the wall clock,
 * so a busy machine's pauses slow the run down but never leave minutes without trades.
 */
export class DemoMarket {
  #tick = 0

  constructor(
    readonly startMs: number,
    readonly endMs: number,
    readonly ticks: number,
    readonly tradesPerTick: number,
    /** The lake's last trade id per `exchange symbol`: each exchange's ids continue one past them. */
    readonly lastIds: ReadonlyMap<string, number>,
  ) {}

  /** Moves the clock to the start of step `i` (0-based) of `ticks`. */
  tick(i: number): void {
    this.#tick = Math.min(i, this.ticks - 1)
  }

  /** The market as one exchange's simulator sees it: the shared clock and price, its own first ids. */
  of(exchange: string): SimMarket {
    const firstIds: Record<string, number> = {}
    for (const [key, id] of this.lastIds) {
      const [ex, symbol] = key.split(' ')
      if (ex === exchange && symbol) firstIds[symbol] = id + 1
    }
    let tick = -1
    let calls = 0
    const now = () => {
      if (this.#tick !== tick) {
        tick = this.#tick
        calls = 0
      }
      const width = (this.endMs - this.startMs) / this.ticks
      return this.startMs + width * (tick + Math.min(1, calls++ / this.tradesPerTick))
    }
    return { now, price: marketPrice, firstIds }
  }
}

/**
 * Where a run's market starts: one millisecond after the lake's last trade (a rerun continues it),
 * but no earlier than `spanMs` before the run ends (a lake left for a day resumes with today).
 */
export function marketStart(lastTradeMs: number | null, endMs: number, spanMs: number): number {
  const earliest = endMs - spanMs
  return lastTradeMs === null ? earliest : Math.max(lastTradeMs + 1, earliest)
}
