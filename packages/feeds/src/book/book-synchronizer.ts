import { type BookDelta, type BookSnapshot, type CanonicalSymbol, type Exchange, K2Error, type Quote } from '@k2/core'
import type { BookMessage } from '../adapters/adapter.js'
import { type IntervalSnapshotOptions, IntervalSnapshots } from './interval-snapshots.js'
import { OrderBook } from './order-book.js'
import { binanceFirst, binanceNext, bitstampNext, type DesyncReason, type Verdict } from './sequence-rules.js'
import { TopOfBook } from './top-of-book.js'

/** A book found wrong: the feed reports it, and the connection resynchronizes this symbol alone. */
export interface Desync {
  exchange: Exchange
  symbol: CanonicalSymbol
  reason: DesyncReason
  /** What was seen, with the numbers (ids, checksums, times). */
  detail: string
}

/** What the connection must do for the symbol: fetch a REST snapshot, or unsubscribe and subscribe again. */
export type Resync = 'snapshot' | 'resubscribe'

export interface SyncResult {
  /** Messages applied, each leaving a book that passed every check: safe to emit and store, in order. */
  events: (BookSnapshot | BookDelta)[]
  /** The top of book, when it changed. */
  quote: Quote | undefined
  desync: Desync | undefined
  resync: Resync | undefined
}

export interface BookSynchronizerOptions {
  /** The subscribed depth, where the exchange's book is a window (Kraken). */
  depth?: number
  /** Deltas kept while a snapshot is pending; past it the wait is given up and a new snapshot asked for. */
  maxBuffered?: number
  /** Also return a top-N snapshot at the end of every interval (exchange time) that had deltas. */
  snapshots?: IntervalSnapshotOptions
}

/** Exchanges whose stream sends only changes, so the snapshot comes from REST. */
const REST_SNAPSHOT: Record<Exchange, boolean> = { binance: true, bitstamp: true, kraken: false, coinbase: false }

/**
 * One (exchange, symbol) book kept provably right, as a pure state machine: no I/O, no clock. Feed it
 * the stream's book messages (`onMessage`), the REST snapshot when it arrives (`onSnapshot`, Binance and
 * Bitstamp) and connection events (`reset`); each call says what was applied, the quote, and whether the
 * book desynchronized and how to resync it. No message is returned that leaves a book known to be
 * wrong: after a desync the book is empty until its next snapshot.
 */
export class BookSynchronizer {
  readonly book: OrderBook
  private readonly top = new TopOfBook()
  private readonly buffer: BookMessage[] = []
  private readonly maxBuffered: number
  private readonly rest: boolean
  /** False until a message after the snapshot was applied (Binance's first-event rule, Bitstamp's drop rule). */
  private continued = false
  private readonly intervals: IntervalSnapshots | undefined

  constructor(
    readonly exchange: Exchange,
    readonly symbol: CanonicalSymbol,
    options: BookSynchronizerOptions = {},
  ) {
    this.book = new OrderBook(exchange, options.depth === undefined ? {} : { depth: options.depth })
    this.maxBuffered = options.maxBuffered ?? 10_000
    this.rest = REST_SNAPSHOT[exchange]
    this.intervals = options.snapshots === undefined ? undefined : new IntervalSnapshots(options.snapshots)
  }

  /** True while the book is waiting for a snapshot (at start and after every desync or reset). */
  get pending(): boolean {
    return !this.book.ready
  }

  /** A book message from the stream. */
  onMessage(m: BookMessage): SyncResult {
    this.own(m)
    const out = result()
    if (this.rest && m.event.type === 'book_snapshot')
      throw new K2Error('VALIDATION', `${this.exchange} snapshots come from REST: give them to onSnapshot`)
    if (m.event.type === 'book_snapshot') return this.start(m, out)
    if (this.pending) {
      // Stream-snapshot exchanges: deltas before the snapshot are covered by it. REST ones: buffer them.
      if (!this.rest) return out
      if (this.buffer.length >= this.maxBuffered) {
        this.buffer.length = 0
        return this.fail(out, 'stale_snapshot', `no snapshot after ${this.maxBuffered} buffered deltas`)
      }
      this.buffer.push(m)
      return out
    }
    return this.step(m, out)
  }

  /** The REST snapshot (Binance, Bitstamp): applied with the buffered deltas it does not cover. */
  onSnapshot(m: BookMessage): SyncResult {
    this.own(m)
    if (m.event.type !== 'book_snapshot') throw new K2Error('VALIDATION', 'onSnapshot takes a book_snapshot')
    const out = result()
    const first = this.buffer[0]?.event
    // Binance: a snapshot older than the first buffered event cannot be joined to the stream.
    if (this.exchange === 'binance' && first !== undefined && (m.event.sequence ?? 0) + 1 < (first.firstSequence ?? 0)) {
      this.buffer.length = 0
      return this.fail(
        out,
        'stale_snapshot',
        `snapshot lastUpdateId ${m.event.sequence} is older than the first buffered event U=${first.firstSequence}`,
      )
    }
    // Bitstamp: diffs between an older snapshot and the first one buffered were never seen (none carries a sequence).
    if (this.exchange === 'bitstamp' && first !== undefined && m.event.ts < first.ts) {
      this.buffer.length = 0
      return this.fail(out, 'stale_snapshot', `snapshot microtimestamp ${m.event.ts} is older than the first buffered diff ${first.ts}`)
    }
    // A snapshot older than the live book (a late answer to an earlier request) changes nothing.
    if (!this.pending && (this.exchange === 'binance' ? (m.event.sequence ?? 0) < (this.book.sequence ?? 0) : m.event.ts < this.book.ts))
      return out
    this.start(m, out)
    const buffered = this.buffer.splice(0)
    for (let i = 0; i < buffered.length && !this.pending; i++) {
      this.step(buffered[i] as BookMessage, out)
      // After a desync, the message that broke the book and those after it wait for the next snapshot.
      if (this.pending) this.buffer.push(...buffered.slice(i))
    }
    return out
  }

  /** Forgets the book (a reconnect, or a gap the connection saw, e.g. Coinbase's sequence_num): resync it. */
  reset(reason: DesyncReason, detail: string): SyncResult {
    this.buffer.length = 0
    return this.fail(result(), reason, detail)
  }

  private own(m: BookMessage): void {
    if (m.event.exchange !== this.exchange || m.event.symbol !== this.symbol)
      throw new K2Error(
        'VALIDATION',
        `a ${m.event.exchange} ${m.event.symbol} message cannot go to the ${this.exchange} ${this.symbol} book`,
      )
  }

  private start(m: BookMessage, out: SyncResult): SyncResult {
    this.book.apply(m.event, m.text)
    this.continued = false
    this.top.reset()
    this.intervals?.reset()
    return this.verify(m, out)
  }

  private step(m: BookMessage, out: SyncResult): SyncResult {
    const v = this.verdict(m.event as BookDelta)
    if (v === 'stale') return out
    if (v !== 'apply') {
      const ev = m.event
      const detail =
        this.exchange === 'binance'
          ? `book at update id ${this.book.sequence}, next event U=${ev.firstSequence} u=${ev.sequence}`
          : `book at ${this.exchange === 'coinbase' ? `sequence ${this.book.sequence}` : `time ${this.book.ts}`}, next message at ${ev.sequence ?? ev.ts}`
      return this.fail(out, v === 'gap' ? 'sequence_gap' : 'out_of_order', detail)
    }
    const closing = this.intervals?.closing(this.book, m.event.ts, m.event.recvTs)
    this.book.apply(m.event, m.text)
    this.continued = true
    const at = out.events.length
    this.verify(m, out)
    // A delta that breaks the book may hide a lost one inside the interval: its snapshot is not trusted either.
    if (this.pending) return out
    if (closing !== undefined) out.events.splice(at, 0, closing)
    this.intervals?.applied(m.event.ts)
    return out
  }

  private verdict(ev: BookDelta): Verdict {
    switch (this.exchange) {
      case 'binance': {
        const U = ev.firstSequence ?? ev.sequence ?? 0
        const u = ev.sequence ?? 0
        const at = this.book.sequence ?? 0
        return this.continued ? binanceNext(at, U, u) : binanceFirst(at, U, u)
      }
      case 'bitstamp':
        return bitstampNext(this.book.ts, ev.ts, !this.continued)
      case 'coinbase':
        // Per book the connection-wide counter only grows; gaps are the connection's to see (reset()).
        return ev.sequence === undefined || this.book.sequence === undefined || ev.sequence > this.book.sequence ? 'apply' : 'out_of_order'
      case 'kraken':
        return 'apply'
    }
  }

  /** The checks after a message: Kraken's checksum, and no crossed book anywhere. */
  private verify(m: BookMessage, out: SyncResult): SyncResult {
    const sent = m.event.checksum
    if (this.exchange === 'kraken' && sent !== undefined) {
      const mine = this.book.checksum()
      if (mine !== sent) return this.fail(out, 'checksum', `checksum ${mine} after the message, Kraken sent ${sent}`)
    }
    if (this.book.isCrossed())
      return this.fail(out, 'crossed', `best bid ${this.book.bestBid()?.[0]} >= best ask ${this.book.bestAsk()?.[0]}`)
    out.events.push(m.event)
    out.quote = this.top.next(this.book) ?? out.quote
    return out
  }

  private fail(out: SyncResult, reason: DesyncReason, detail: string): SyncResult {
    this.book.clear()
    this.continued = false
    this.top.reset()
    this.intervals?.reset()
    out.desync = { exchange: this.exchange, symbol: this.symbol, reason, detail }
    out.resync = this.rest ? 'snapshot' : 'resubscribe'
    return out
  }
}

const result = (): SyncResult => ({ events: [], quote: undefined, desync: undefined, resync: undefined })
