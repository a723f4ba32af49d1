/**
 * One side of a book as parallel sorted arrays, best level LAST: bids ascending, asks descending.
 * Updates land near the top of the book, so keeping the top at the end makes an insert or delete there
 * a splice of a few elements, not a shift of the whole side (measured in `bench/books.bench.ts` against a
 * Map with a lazily sorted key list: see docs/books.md). The worst levels are at the front, so the
 * levels a depth window drops (Kraken's) are not shifted out one by one: the live levels are
 * `[bottom, length)`, dropping one moves `bottom` up, a level entering at the bottom reuses the slot
 * below it, and the dead prefix is cut off once it outgrows the live levels. Each level may keep the
 * exchange's own decimal text, which checksums are computed from (`''` where there is none).
 */
export class BookSide {
  readonly prices: number[] = []
  readonly qtys: number[] = []
  readonly priceTexts: string[] = []
  readonly qtyTexts: string[] = []
  /** The array index of the worst live level; indexes below it are dropped levels. */
  bottom = 0

  /** `bid`: higher is better; `ask`: lower is better. */
  constructor(readonly side: 'bid' | 'ask') {}

  get size(): number {
    return this.prices.length - this.bottom
  }

  clear(): void {
    this.prices.length = 0
    this.qtys.length = 0
    this.priceTexts.length = 0
    this.qtyTexts.length = 0
    this.bottom = 0
  }

  /** The index of `price`, or of where it would be inserted (~index - 1 when absent: `-(at + 1)`). */
  private find(price: number): number {
    const px = this.prices
    let lo = this.bottom
    let hi = px.length
    // Most changes touch the top: check the last level before searching.
    if (hi > lo && px[hi - 1] === price) return hi - 1
    const ask = this.side === 'ask'
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const p = px[mid] as number
      if (p === price) return mid
      if (ask ? p > price : p < price) lo = mid + 1
      else hi = mid
    }
    return -(lo + 1)
  }

  /** Sets a level to an absolute quantity; 0 removes it (removing an absent level is fine). */
  set(price: number, qty: number, priceText = '', qtyText = ''): void {
    const i = this.find(price)
    if (i >= 0) {
      if (qty === 0) {
        if (i === this.bottom)
          this.bottom++ // the worst level: drop it in place
        else {
          // splice(i, 1) on each array: at the top of the book this moves a handful of elements.
          this.prices.splice(i, 1)
          this.qtys.splice(i, 1)
          this.priceTexts.splice(i, 1)
          this.qtyTexts.splice(i, 1)
        }
      } else {
        this.qtys[i] = qty
        this.priceTexts[i] = priceText
        this.qtyTexts[i] = qtyText
      }
      return
    }
    if (qty === 0) return
    const at = -i - 1
    if (at === this.prices.length) {
      this.prices.push(price)
      this.qtys.push(qty)
      this.priceTexts.push(priceText)
      this.qtyTexts.push(qtyText)
    } else if (at === this.bottom && at > 0) {
      // A new worst level, with a dropped slot below the live ones: take it.
      const j = --this.bottom
      this.prices[j] = price
      this.qtys[j] = qty
      this.priceTexts[j] = priceText
      this.qtyTexts[j] = qtyText
    } else {
      this.prices.splice(at, 0, price)
      this.qtys.splice(at, 0, qty)
      this.priceTexts.splice(at, 0, priceText)
      this.qtyTexts.splice(at, 0, qtyText)
    }
  }

  /**
   * Replaces the side with a snapshot's levels: one sort, not one insert per level (REST snapshots list
   * the best first, which would make every insert a shift of the whole array). Qty 0 is skipped and a
   * repeated price keeps its last quantity, as `set` would.
   */
  load(prices: readonly number[], qtys: readonly number[], priceTexts: readonly string[], qtyTexts: readonly string[]): void {
    this.clear()
    const ask = this.side === 'ask'
    if (bestFirst(prices, ask)) {
      // The usual case (every exchange lists its snapshot best first): reverse it, no sort.
      for (let i = prices.length - 1; i >= 0; i--) {
        if (qtys[i] === 0) continue
        this.prices.push(prices[i] as number)
        this.qtys.push(qtys[i] as number)
        this.priceTexts.push(priceTexts[i] ?? '')
        this.qtyTexts.push(qtyTexts[i] ?? '')
      }
      return
    }
    const order = prices.map((_, i) => i)
    // Stable sort: among equal prices the later level comes later, and wins below.
    order.sort((a, b) => (ask ? (prices[b] as number) - (prices[a] as number) : (prices[a] as number) - (prices[b] as number)))
    for (const i of order) {
      const price = prices[i] as number
      const last = this.prices.length - 1
      if (last >= 0 && this.prices[last] === price) {
        this.prices.pop()
        this.qtys.pop()
        this.priceTexts.pop()
        this.qtyTexts.pop()
      }
      if (qtys[i] === 0) continue
      this.prices.push(price)
      this.qtys.push(qtys[i] as number)
      this.priceTexts.push(priceTexts[i] ?? '')
      this.qtyTexts.push(qtyTexts[i] ?? '')
    }
  }

  /** Keeps the best `depth` levels: exchanges with a depth window (Kraken) never delete the levels that fall out. */
  truncate(depth: number): void {
    const extra = this.size - depth
    if (extra <= 0) return
    this.bottom += extra
    if (this.bottom > 64 && this.bottom > this.size) {
      // The dropped prefix outgrew the live levels: cut it off (amortized over the drops that made it).
      const n = this.bottom
      this.prices.splice(0, n)
      this.qtys.splice(0, n)
      this.priceTexts.splice(0, n)
      this.qtyTexts.splice(0, n)
      this.bottom = 0
    }
  }

  /** The array index of the `n`-th best level (0 = best). */
  indexOf(n: number): number {
    return this.prices.length - 1 - n
  }

  /** Total quantity at prices at least as good as `price` (bids ≥ price, asks ≤ price). */
  sizeTo(price: number): number {
    const px = this.prices
    const ask = this.side === 'ask'
    let total = 0
    for (let i = px.length - 1; i >= this.bottom; i--) {
      const p = px[i] as number
      if (ask ? p > price : p < price) break
      total += this.qtys[i] as number
    }
    return total
  }
}

/** True when prices are strictly best first (asks rising, bids falling): no repeats, no sort needed. */
function bestFirst(prices: readonly number[], ask: boolean): boolean {
  for (let i = 1; i < prices.length; i++) {
    const a = prices[i - 1] as number
    const b = prices[i] as number
    if (ask ? !(a < b) : !(a > b)) return false
  }
  return true
}
