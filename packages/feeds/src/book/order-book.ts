import { type BookDelta, type BookSnapshot, type CanonicalSymbol, type Exchange, K2Error, type Level } from '@k2/core'
import { BookSide } from './book-side.js'
import { KRAKEN_CHECKSUM_LEVELS, krakenChecksum } from './kraken-checksum.js'

/** The exchange's own decimal text of a message's levels, index for index with its `bids` / `asks`: `[price, qty]`. */
export interface BookText {
  readonly bids: readonly (readonly [string, string])[]
  readonly asks: readonly (readonly [string, string])[]
}

export interface OrderBookOptions {
  /**
   * Keep at most this many levels per side after each message. Kraken books are a window of the
   * subscribed depth: Kraken never deletes the levels that fall out of it, so they must be cut here.
   */
  depth?: number
  /**
   * Decimals to print a level's price / qty with when it has no wire text (a book rebuilt from stored
   * numbers): Kraken's checksum needs the exchange's text, which for v2 is the pair's full precision.
   */
  priceDecimals?: number
  qtyDecimals?: number
}

/**
 * A level-2 order book, usable alone on recorded data or live behind a `BookSynchronizer`.
 *
 * ```ts
 * const book = new OrderBook('binance')
 * book.apply(snapshot)          // a BookSnapshot replaces the whole book
 * book.apply(delta)             // a BookDelta sets absolute quantities; qty 0 removes a level
 * book.bestBid()                // [price, qty] or undefined
 * book.depth(10)                // { bids, asks }, best first
 * ```
 * `apply` checks what it is given and throws `K2Error('VALIDATION')` for a delta before any snapshot, a
 * message of another exchange or symbol, or a level that is not a positive price with a finite qty ≥ 0;
 * the book is unchanged when it throws.
 */
export class OrderBook {
  private readonly bids = new BookSide('bid')
  private readonly asks = new BookSide('ask')
  private readonly maxDepth: number
  private sym: CanonicalSymbol | undefined
  /** The exchange's sequence / update id after the last message that had one. */
  sequence: number | undefined
  /** Exchange time and receive time of the last message applied (epoch µs). */
  ts = 0
  recvTs = 0

  constructor(
    readonly exchange: Exchange,
    private readonly options: OrderBookOptions = {},
  ) {
    const depth = options.depth ?? Number.POSITIVE_INFINITY
    if (!(depth >= 1)) throw new K2Error('VALIDATION', `OrderBook depth must be at least 1, got ${depth}`)
    this.maxDepth = depth
  }

  /** The symbol of the snapshot applied, or undefined before one. */
  get symbol(): CanonicalSymbol | undefined {
    return this.sym
  }

  /** True once a snapshot has been applied (and `clear()` was not called since). */
  get ready(): boolean {
    return this.sym !== undefined
  }

  /** Forgets every level: the next message must be a snapshot (e.g. after a reconnect). */
  clear(): void {
    this.bids.clear()
    this.asks.clear()
    this.sym = undefined
    this.sequence = undefined
  }

  /** Applies a snapshot (replaces the book) or a delta (absolute quantities, 0 removes); `text` keeps the wire decimals. */
  apply(event: BookSnapshot | BookDelta, text?: BookText): void {
    this.check(event, text)
    if (event.type === 'book_snapshot') {
      loadSide(this.bids, event.bids, text?.bids)
      loadSide(this.asks, event.asks, text?.asks)
      this.sym = event.symbol
    } else {
      applySide(this.bids, event.bids, text?.bids)
      applySide(this.asks, event.asks, text?.asks)
    }
    if (this.maxDepth !== Number.POSITIVE_INFINITY) {
      this.bids.truncate(this.maxDepth)
      this.asks.truncate(this.maxDepth)
    }
    if (event.sequence !== undefined) this.sequence = event.sequence
    this.ts = event.ts
    this.recvTs = event.recvTs
  }

  private check(event: BookSnapshot | BookDelta, text: BookText | undefined): void {
    if (event.exchange !== this.exchange)
      throw new K2Error('VALIDATION', `a ${event.exchange} book message cannot update a ${this.exchange} book`)
    if (event.type === 'book_delta') {
      if (this.sym === undefined) throw new K2Error('VALIDATION', 'apply a book snapshot before deltas (the book is empty)')
      if (event.symbol !== this.sym) throw new K2Error('VALIDATION', `a ${event.symbol} delta cannot update the ${this.sym} book`)
    } else if (event.type !== 'book_snapshot') throw new K2Error('VALIDATION', 'apply takes a book_snapshot or a book_delta')
    checkLevels(event.bids, 'bids')
    checkLevels(event.asks, 'asks')
    if (text !== undefined && (text.bids.length !== event.bids.length || text.asks.length !== event.asks.length))
      throw new K2Error('VALIDATION', 'the book text must have one [price, qty] pair per level of the message')
  }

  /** The best bid `[price, qty]`, or undefined on an empty side. */
  bestBid(): Level | undefined {
    return top(this.bids)
  }
  bestAsk(): Level | undefined {
    return top(this.asks)
  }
  /** (best bid + best ask) / 2, or undefined while a side is empty. */
  mid(): number | undefined {
    const bids = this.bids
    const asks = this.asks
    if (bids.size === 0 || asks.size === 0) return undefined
    return ((bids.prices[bids.indexOf(0)] as number) + (asks.prices[asks.indexOf(0)] as number)) / 2
  }
  /** best ask − best bid (negative when crossed), or undefined while a side is empty. */
  spread(): number | undefined {
    const bids = this.bids
    const asks = this.asks
    if (bids.size === 0 || asks.size === 0) return undefined
    return (asks.prices[asks.indexOf(0)] as number) - (bids.prices[bids.indexOf(0)] as number)
  }
  /** True when the best bid is at or above the best ask: a book that is known to be wrong. */
  isCrossed(): boolean {
    const s = this.spread()
    return s !== undefined && s <= 0
  }
  /** Levels per side. */
  levels(): { bids: number; asks: number } {
    return { bids: this.bids.size, asks: this.asks.size }
  }

  /** The `n` best levels of each side (all when `n` is omitted), best first. */
  depth(n = Number.POSITIVE_INFINITY): { bids: Level[]; asks: Level[] } {
    return { bids: take(this.bids, n), asks: take(this.asks, n) }
  }

  /** The wire text of the `n` best levels of each side, best first (`''` where a level has none). */
  depthText(n = Number.POSITIVE_INFINITY): { bids: [string, string][]; asks: [string, string][] } {
    return { bids: takeText(this.bids, n), asks: takeText(this.asks, n) }
  }

  /**
   * Quantity available up to `price`: on `ask`, the asks at or below it (what a buy limited at `price`
   * can take); on `bid`, the bids at or above it.
   */
  sizeTo(side: 'bid' | 'ask', price: number): number {
    return (side === 'bid' ? this.bids : this.asks).sizeTo(price)
  }

  /**
   * The exchange's checksum of this book, by its own rules, or undefined where it sends none. Kraken:
   * CRC32 of the 10 best levels per side on the wire text; a level without text is printed with
   * `priceDecimals` / `qtyDecimals`, and without those it throws `VALIDATION`.
   */
  checksum(): number | undefined {
    if (this.exchange !== 'kraken') return undefined
    return krakenChecksum(this.asks, this.bids, (side, i, qty) => {
      const decimals = qty ? this.options.qtyDecimals : this.options.priceDecimals
      if (decimals === undefined)
        throw new K2Error(
          'VALIDATION',
          `a Kraken checksum needs the wire text of the ${KRAKEN_CHECKSUM_LEVELS} best levels: apply messages with their text, or give priceDecimals and qtyDecimals`,
        )
      return ((qty ? side.qtys[i] : side.prices[i]) as number).toFixed(decimals)
    })
  }

  /** The book as a snapshot event (the `n` best levels per side), e.g. to store or to replay from. */
  snapshot(n = Number.POSITIVE_INFINITY): BookSnapshot {
    if (this.sym === undefined) throw new K2Error('VALIDATION', 'the book has no snapshot yet')
    return {
      type: 'book_snapshot',
      exchange: this.exchange,
      symbol: this.sym,
      ts: this.ts,
      recvTs: this.recvTs,
      ...this.depth(n),
      ...(this.sequence === undefined ? {} : { sequence: this.sequence }),
    }
  }
}

function applySide(side: BookSide, levels: readonly Level[], text: readonly (readonly [string, string])[] | undefined): void {
  // Indexed loops, no destructuring: most deltas carry one or two levels, so the per-level overhead is the cost.
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i] as Level
    if (text === undefined) side.set(l[0], l[1])
    else {
      const t = text[i] as readonly [string, string]
      side.set(l[0], l[1], t[0], t[1])
    }
  }
}

function loadSide(side: BookSide, levels: readonly Level[], text: readonly (readonly [string, string])[] | undefined): void {
  side.load(
    levels.map((l) => l[0]),
    levels.map((l) => l[1]),
    text === undefined ? [] : text.map((t) => t[0]),
    text === undefined ? [] : text.map((t) => t[1]),
  )
}

function checkLevels(levels: readonly Level[], what: string): void {
  if (!Array.isArray(levels)) throw new K2Error('VALIDATION', `book ${what} must be an array of [price, qty]`)
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]
    const price = l?.[0]
    const qty = l?.[1]
    if (
      !(
        typeof price === 'number' &&
        price > 0 &&
        price < Number.POSITIVE_INFINITY &&
        typeof qty === 'number' &&
        qty >= 0 &&
        qty < Number.POSITIVE_INFINITY
      )
    )
      throw new K2Error('VALIDATION', `book ${what} must hold [price > 0, finite qty >= 0] levels`)
  }
}

function top(side: BookSide): Level | undefined {
  const i = side.indexOf(0)
  return side.size === 0 ? undefined : [side.prices[i] as number, side.qtys[i] as number]
}

function take(side: BookSide, n: number): Level[] {
  const out: Level[] = []
  for (let i = side.indexOf(0); i >= side.bottom && out.length < n; i--) out.push([side.prices[i] as number, side.qtys[i] as number])
  return out
}

function takeText(side: BookSide, n: number): [string, string][] {
  const out: [string, string][] = []
  for (let i = side.indexOf(0); i >= side.bottom && out.length < n; i--)
    out.push([side.priceTexts[i] as string, side.qtyTexts[i] as string])
  return out
}
