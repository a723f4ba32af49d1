import type { Level } from '@k2/core'

/** Prices are whole ticks of 0.1 and sizes whole lots of 1e-8, printed with fixed decimals like an exchange would. */
export const priceText = (tick: number): string => `${Math.floor(tick / 10)}.${tick % 10}`
export const qtyText = (lots: number): string => `${Math.floor(lots / 1e8)}.${String(lots % 1e8).padStart(8, '0')}`

/** One level a message changes: side, price tick and new size in lots (0 removes it). */
export interface LevelChange {
  side: 'bid' | 'ask'
  tick: number
  lots: number
}

/** The book as levels (best first), in numbers parsed from the printed text: what a correct feed must hold. */
export interface BookView {
  bids: Level[]
  asks: Level[]
}

/**
 * The simulator's true book of one symbol: a map per side from price tick to size, changed by seeded
 * random steps that never cross it (bids stay below the best ask, asks above the best bid).
 */
export class TrueBook {
  readonly bids = new Map<number, number>()
  readonly asks = new Map<number, number>()

  constructor(
    private readonly rand: () => number,
    midTick: number,
    levels: number,
  ) {
    for (let i = 0; i < levels; i++) {
      this.bids.set(midTick - 1 - i * (1 + Math.floor(rand() * 3)) - i, this.lots())
      this.asks.set(midTick + 1 + i * (1 + Math.floor(rand() * 3)) + i, this.lots())
    }
  }

  private lots(): number {
    return 1 + Math.floor(this.rand() * 5e8)
  }

  /** Ticks of one side, best first. */
  ticks(side: 'bid' | 'ask'): number[] {
    const m = side === 'bid' ? this.bids : this.asks
    return [...m.keys()].sort(side === 'bid' ? (a, b) => b - a : (a, b) => a - b)
  }

  /** The book (or its top `depth` levels per side), best first. */
  view(depth = Number.POSITIVE_INFINITY): BookView {
    const side = (s: 'bid' | 'ask'): Level[] => {
      const m = s === 'bid' ? this.bids : this.asks
      return this.ticks(s)
        .slice(0, depth)
        .map((t) => [Number(priceText(t)), Number(qtyText(m.get(t) ?? 0))])
    }
    return { bids: side('bid'), asks: side('ask') }
  }

  /**
   * One random step of 1 to 3 level changes, applied; `top` makes it a single size change of a best
   * level (what a checksum over the top levels is sure to see when it is lost).
   */
  step(top = false): LevelChange[] {
    if (top) {
      const side = this.rand() < 0.5 ? 'bid' : 'ask'
      const tick = this.ticks(side)[0] as number
      return [this.set(side, tick, this.lots())]
    }
    const out: LevelChange[] = []
    const n = 1 + Math.floor(this.rand() * 3)
    for (let i = 0; i < n; i++) {
      const side = this.rand() < 0.5 ? 'bid' : 'ask'
      const m = side === 'bid' ? this.bids : this.asks
      const ticks = this.ticks(side)
      const r = this.rand()
      const near = Math.floor(this.rand() ** 2 * Math.min(ticks.length, 30)) // changes cluster at the top
      if ((r < 0.3 || m.size < 10) && m.size < 80) {
        const bestBid = this.ticks('bid')[0] as number
        const bestAsk = this.ticks('ask')[0] as number
        // A new level anywhere from inside the spread to 40 ticks behind the best.
        const tick =
          side === 'bid'
            ? bestAsk - 1 - Math.floor(this.rand() * (bestAsk - bestBid + 40))
            : bestBid + 1 + Math.floor(this.rand() * (bestAsk - bestBid + 40))
        if (tick > 0) out.push(this.set(side, tick, this.lots()))
      } else if (r < 0.55 && m.size > 5) out.push(this.set(side, ticks[near] as number, 0))
      else out.push(this.set(side, ticks[near] as number, this.lots()))
    }
    return out
  }

  private set(side: 'bid' | 'ask', tick: number, lots: number): LevelChange {
    const m = side === 'bid' ? this.bids : this.asks
    if (lots === 0) m.delete(tick)
    else m.set(tick, lots)
    return { side, tick, lots }
  }
}
