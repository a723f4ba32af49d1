import {
  type BookDelta,
  type BookDesync,
  type BookSnapshot,
  type CanonicalSymbol,
  type Clock,
  FeedError,
  K2Error,
  type Quote,
} from '@k2/core'
import pRetry, { AbortError } from 'p-retry'
import type { BookAdapter, BookMessage, ExchangeAdapter, ParsedFrame } from '../adapters/adapter.js'
import type { Connection } from '../connection.js'
import { BookSynchronizer, type BookSynchronizerOptions, type SyncResult } from './book-synchronizer.js'
import type { IntervalSnapshotOptions } from './interval-snapshots.js'
import { coinbaseNext, type DesyncReason } from './sequence-rules.js'

/** What the book channel reports to its feed. */
export interface FeedBooksHost {
  /** A book message that passed every check, or a top-of-book change. */
  event(ev: BookSnapshot | BookDelta | Quote): void
  desync(d: BookDesync): void
  error(err: K2Error): void
  deadLetter(raw: string, recvTs: number, err: K2Error): void
}

export interface FeedBooksOptions {
  symbols: readonly CanonicalSymbol[]
  depth: number | undefined
  restUrl: string
  clock: Clock
  signal: AbortSignal
  /** REST snapshot retries and first retry delay (the history's settings). */
  retries: number
  retryMinMs: number
  /** Top-N snapshots at the end of every interval, if asked for. */
  snapshots: IntervalSnapshotOptions | undefined
}

interface SymbolBook {
  readonly sync: BookSynchronizer
  /** Bumped on every desync and reset: a REST answer to an older generation is dropped. */
  generation: number
  /** The generation a REST snapshot is being fetched for, if any. */
  fetching: number | undefined
}

// Book requests get ids of their own, so their answers are not taken for the trade subscription's.
const FIRST_BOOK_REQ_ID = 1_000_000_000

/**
 * The `book` channel of a feed: one `BookSynchronizer` per symbol, fed by the connection that carries
 * the books. It sends the book subscriptions, fetches REST snapshots where the stream has none
 * (Binance, Bitstamp: when the first delta is buffered, so the snapshot joins a stream already
 * flowing), checks Coinbase's connection-wide `sequence_num` on every frame, resubscribes or refetches
 * one symbol after its desync, and starts every book again on a new connection.
 */
export class FeedBooks {
  private conn: Connection | undefined
  private lastSequence: number | undefined
  private readonly books = new Map<CanonicalSymbol, SymbolBook>()
  private readonly reqIds = new Set<number>()
  private nextReqId = FIRST_BOOK_REQ_ID
  /** REST snapshots asked for (stats, tests). */
  snapshotRequests = 0

  constructor(
    private readonly adapter: ExchangeAdapter & BookAdapter,
    private readonly o: FeedBooksOptions,
    private readonly host: FeedBooksHost,
  ) {
    const depth = adapter.exchange === 'kraken' ? o.depth : undefined
    const options: BookSynchronizerOptions = {
      ...(depth === undefined ? {} : { depth }),
      ...(o.snapshots === undefined ? {} : { snapshots: o.snapshots }),
    }
    for (const s of o.symbols)
      this.books.set(s, {
        sync: new BookSynchronizer(adapter.exchange, s, options),
        generation: 0,
        fetching: undefined,
      })
  }

  /** The live book of `symbol` (empty while it waits for a snapshot). */
  book(symbol: CanonicalSymbol): BookSynchronizer['book'] | undefined {
    return this.books.get(symbol)?.sync.book
  }

  /** A connection is being subscribed: the books move to it and start again from new snapshots. */
  onConnection(conn: Connection): void {
    if (conn === this.conn) return
    if (this.conn !== undefined) this.resetAll('reconnect', `the books moved to connection ${conn.id}`)
    this.conn = conn
    this.lastSequence = undefined
    this.subscribe([...this.books.keys()])
  }

  /** A connection ended: if it carried the books, they are gone until the next connection's snapshots. */
  onDisconnected(connectionId: number): void {
    if (this.conn?.id !== connectionId) return
    this.conn = undefined
    this.resetAll('reconnect', `connection ${connectionId} ended`)
  }

  /** True when a subscription answer belongs to a book request (the trade subscriptions must not count it). */
  isBookAnswer(r: ParsedFrame, frame: string): boolean {
    if (r.kind !== 'ack' && r.kind !== 'rejected') return false
    if (r.reqId !== undefined) return this.reqIds.has(r.reqId)
    return this.adapter.exchange === 'bitstamp' && frame.includes('"diff_order_book_')
  }

  /** Every frame of a Coinbase connection: `sequence_num` counts them all, so a jump is a lost message of some book. */
  onSequence(conn: Connection, sequence: number | undefined): void {
    if (conn !== this.conn || sequence === undefined) return
    const previous = this.lastSequence
    const verdict = coinbaseNext(previous, sequence)
    this.lastSequence = sequence
    if (verdict === 'apply') return
    // Which product lost the message cannot be known: every book of the connection starts again.
    const reason: DesyncReason = verdict === 'gap' ? 'sequence_gap' : 'out_of_order'
    this.resetAll(reason, `connection ${conn.id}: sequence_num ${sequence} after ${previous}`)
    this.resubscribe([...this.books.keys()])
  }

  /** The book messages of one frame. */
  onBooks(conn: Connection, books: readonly BookMessage[], frame: string, recvTs: number): void {
    if (conn !== this.conn) return // an overlapping connection (a rollover): its books are not the ones kept
    for (const m of books) {
      const b = this.books.get(m.event.symbol)
      if (b === undefined) {
        this.host.deadLetter(
          frame,
          recvTs,
          new FeedError('PROTOCOL', this.adapter.exchange, `book for ${m.event.symbol}, which this feed did not subscribe to`),
        )
        continue
      }
      if (this.adapter.bookSnapshot !== undefined && m.event.type === 'book_snapshot') {
        this.host.deadLetter(
          frame,
          recvTs,
          new FeedError('PROTOCOL', this.adapter.exchange, 'a book snapshot on a stream that sends only changes'),
        )
        continue
      }
      this.handle(m.event.symbol, b, b.sync.onMessage(m))
      if (this.adapter.bookSnapshot !== undefined && b.sync.pending && b.fetching !== b.generation) this.fetchSnapshot(m.event.symbol, b)
    }
  }

  private handle(symbol: CanonicalSymbol, b: SymbolBook, r: SyncResult): void {
    for (const ev of r.events) this.host.event(ev)
    if (r.quote !== undefined) this.host.event(r.quote)
    if (r.desync === undefined) return
    b.generation++
    this.host.desync({ ...r.desync, ts: this.o.clock() })
    // 'snapshot': the next delta buffered asks for one (onBooks), so it joins the stream as it flows now.
    if (r.resync === 'resubscribe') this.resubscribe([symbol])
  }

  private resetAll(reason: DesyncReason, detail: string): void {
    for (const b of this.books.values()) {
      const live = !b.sync.pending
      const r = b.sync.reset(reason, detail)
      b.generation++
      b.fetching = undefined
      if (live && r.desync !== undefined) this.host.desync({ ...r.desync, ts: this.o.clock() })
    }
  }

  private subscribe(symbols: CanonicalSymbol[]): void {
    const reqId = this.nextReqId++
    this.reqIds.add(reqId)
    for (const f of this.adapter.bookSubscribe(symbols, this.o.depth, reqId)) this.conn?.send(f)
  }

  private resubscribe(symbols: CanonicalSymbol[]): void {
    for (const f of this.adapter.bookUnsubscribe(symbols, this.o.depth, this.nextReqId++)) this.conn?.send(f)
    this.subscribe(symbols)
  }

  private fetchSnapshot(symbol: CanonicalSymbol, b: SymbolBook): void {
    const api = this.adapter.bookSnapshot
    if (api === undefined) return
    const generation = b.generation
    b.fetching = generation
    const url = api.url(this.o.restUrl, symbol, this.o.depth ?? 1000)
    this.snapshotRequests++
    this.get(url).then(
      (body) => {
        if (b.generation !== generation) return // reset meanwhile: the next delta asks again
        b.fetching = undefined
        const parsed = api.parse(body, symbol, this.o.clock())
        const m = parsed.kind === 'book' ? parsed.books[0] : undefined
        if (m === undefined || m.event.type !== 'book_snapshot') {
          const err =
            parsed.kind === 'error' ? parsed.error : new FeedError('PROTOCOL', this.adapter.exchange, 'the REST book snapshot held no book')
          this.host.deadLetter(body, this.o.clock(), err)
          return
        }
        this.handle(symbol, b, b.sync.onSnapshot(m))
      },
      (err: unknown) => {
        if (b.generation === generation) b.fetching = undefined
        if (this.o.signal.aborted) return
        this.host.error(K2Error.from(err, 'CONNECTION', `REST book snapshot for ${symbol} failed; the next delta asks again`))
      },
    )
  }

  private get(url: string): Promise<string> {
    const { signal } = this.o
    const exchange = this.adapter.exchange
    return pRetry(
      async () => {
        let res: Response
        try {
          res = await fetch(url, { signal })
        } catch (cause) {
          if (signal.aborted) throw new AbortError(new K2Error('CLOSED', 'the feed was closed while fetching a book snapshot'))
          throw new FeedError('CONNECTION', exchange, `book snapshot request failed: ${url}`, { cause })
        }
        const text = await res.text()
        if (res.status === 429 || res.status === 418)
          throw new FeedError('RATE_LIMIT', exchange, `book snapshot rate-limited (HTTP ${res.status}); retrying with backoff`)
        if (res.status >= 500) throw new FeedError('CONNECTION', exchange, `book snapshot failed with HTTP ${res.status}: ${url}`)
        if (!res.ok)
          throw new AbortError(
            new FeedError('PROTOCOL', exchange, `book snapshot refused with HTTP ${res.status}: ${url}`, { frame: text }),
          )
        return text
      },
      { retries: this.o.retries, minTimeout: this.o.retryMinMs, maxTimeout: 30_000, factor: 2, randomize: true, signal },
    )
  }
}
