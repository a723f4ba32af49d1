import type { Quote } from '@k2/core'
import type { OrderBook } from './order-book.js'

/**
 * Derives `Quote` events from a book: one when the best bid or ask (price or qty) differs from the last
 * quote, none while a side is empty (a quote has both sides).
 */
export class TopOfBook {
  private bidPrice = Number.NaN
  private bidQty = Number.NaN
  private askPrice = Number.NaN
  private askQty = Number.NaN

  /** Forgets the last quote (after a resync the next top is always quoted). */
  reset(): void {
    this.bidPrice = Number.NaN
    this.askPrice = Number.NaN
  }

  /** A quote if the book's top changed since the last one, else undefined. */
  next(book: OrderBook): Quote | undefined {
    const bid = book.bestBid()
    const ask = book.bestAsk()
    if (bid === undefined || ask === undefined || book.symbol === undefined) return undefined
    const [bidPrice, bidQty] = bid
    const [askPrice, askQty] = ask
    if (bidPrice === this.bidPrice && bidQty === this.bidQty && askPrice === this.askPrice && askQty === this.askQty) return undefined
    this.bidPrice = bidPrice
    this.bidQty = bidQty
    this.askPrice = askPrice
    this.askQty = askQty
    return {
      type: 'quote',
      exchange: book.exchange,
      symbol: book.symbol,
      ts: book.ts,
      recvTs: book.recvTs,
      bidPrice,
      bidQty,
      askPrice,
      askQty,
    }
  }
}
