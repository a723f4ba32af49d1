import type { BookDelta, BookSnapshot, CanonicalSymbol, Exchange, FeedError, Trade } from '@k2/core'
import type { BookText } from '../book/order-book.js'

/** What a feed can subscribe to. `aggTrades` is Binance's aggregated trade stream (one event per taker order and price). */
export type FeedChannel = 'trades' | 'aggTrades'

/** The outcome of parsing one frame. Adapters never throw: bad frames come back as `error`. */
export type ParsedFrame =
  /**
   * Normalized trades, oldest first. `snapshot` trades were sent on (re)subscribe: real trades that
   * may repeat earlier ones (the feed emits those it has not emitted yet, and drops the repeats).
   */
  | { kind: 'trades'; trades: Trade[]; snapshot: boolean }
  /** A subscription was confirmed: for these symbols, or for the request `reqId` where the exchange names none. */
  | { kind: 'ack'; symbols?: CanonicalSymbol[]; reqId?: number }
  /** A subscription was refused; the feed reports it and does not retry it. */
  | { kind: 'rejected'; error: FeedError; symbols?: CanonicalSymbol[]; reqId?: number }
  /** Keep-alive traffic (heartbeats, pongs, status reports that change nothing). */
  | { kind: 'heartbeat' }
  /** The server asks the client to move to a new connection (maintenance, shutdown). */
  | { kind: 'reconnect'; reason: string }
  /** A message type the adapter does not handle. Exchanges add types over time: ignored, not an error. */
  | { kind: 'ignored'; reason: string }
  /** The frame is malformed or breaks the protocol: it goes to the dead-letter sink. */
  | { kind: 'error'; error: FeedError }

/** A pure REST client description for an exchange's public trade history (used to heal gaps). */
export interface HistoryApi {
  /**
   * The URL of one page of trades that starts at `fromId` (inclusive) and covers as much of `fromId..toId` as
   * the exchange allows in one request. `afterTs` is the exchange time of the last trade before the gap
   * (for exchanges that page by time).
   */
  pageUrl(restUrl: string, symbol: CanonicalSymbol, fromId: number, toId: number, afterTs: number): string
  /** Trades of one page, oldest first; may include trades outside the asked range (the feed filters). */
  parsePage(body: string, symbol: CanonicalSymbol, recvTs: number): Trade[]
  /** True where one request returns everything the history offers (no paging). */
  readonly onePage?: boolean
}

/**
 * One exchange's protocol, with no I/O: where to connect, what to send, and how to read what comes back.
 * An adapter instance keeps only a symbol map, so `parse` stays a pure function of the frame.
 */
export interface ExchangeAdapter {
  readonly exchange: Exchange
  /** The public WebSocket endpoint. */
  readonly defaultUrl: string
  /** The public REST base URL, for trade history. */
  readonly defaultRestUrl: string
  /** Channels this adapter speaks. */
  readonly channels: readonly FeedChannel[]
  /**
   * True where trade ids are contiguous per symbol, so a jump is a gap. Where they are not (Bitstamp),
   * the feed asks the history for trades newer than the last one after every reconnect instead.
   */
  readonly contiguousIds: boolean
  /** REST trade history, where the exchange has one that can be paged by id. */
  readonly history: HistoryApi | undefined
  /** Silence (ms) after which a connection is dead; the exchange's own keep-alive comes more often than this. */
  readonly deadAfterMs: number
  /** The exchange's hard limit on a connection's lifetime (ms), if any: the feed moves to a new one before it. */
  readonly maxLifetimeMs: number | undefined
  /** The symbol as the exchange writes it. */
  toNative(symbol: CanonicalSymbol): string
  /** The canonical symbol for the exchange's name, or undefined if it cannot be mapped. */
  toCanonical(native: string): CanonicalSymbol | undefined
  /** Frames to send to subscribe (one or more; some exchanges take one channel per message). */
  subscribe(symbols: readonly CanonicalSymbol[], channel: FeedChannel, reqId: number): string[]
  /** Frames to send to unsubscribe. */
  unsubscribe(symbols: readonly CanonicalSymbol[], channel: FeedChannel, reqId: number): string[]
  /** An application-level ping that makes the server answer, or undefined where the server sends its own keep-alive. */
  ping(reqId: number): string | undefined
  /**
   * Parses one frame received at `recvTs` (epoch µs). Total: whatever the input (any depth, size or
   * type; bytes are decoded as UTF-8), it returns a result and never throws.
   */
  parse(frame: string, recvTs: number): ParsedFrame
}

/** Options every adapter takes. */
export interface AdapterOptions {
  /** Symbols to map both ways exactly; other names are mapped by the exchange's naming rules. */
  symbols?: readonly CanonicalSymbol[]
  /** Which trade channel `parse` reads, for exchanges that have two (Binance). */
  channel?: FeedChannel
}

/** One book message of a frame, with the exchange's own decimal text of its levels (checksums need it). */
export interface BookMessage {
  event: BookSnapshot | BookDelta
  text: BookText
}

/** The outcome of parsing a frame where the book channel is on: book messages, or what `parse` returns. */
export type ParsedBookFrame = ParsedFrame | { kind: 'book'; books: BookMessage[] }

/** An exchange's REST book snapshot, for exchanges whose stream sends only changes (Binance, Bitstamp). */
export interface BookSnapshotApi {
  /** The URL of a snapshot of `depth` levels per side (the exchange may cap it). */
  url(restUrl: string, symbol: CanonicalSymbol, depth: number): string
  /** Total, like `parse`: a bad body is an `error` result. */
  parse(body: string, symbol: CanonicalSymbol, recvTs: number): ParsedBookFrame
}

/** The level-2 book side of an adapter: pure, like the rest of it. */
export interface BookAdapter {
  /** Depths the exchange lets a subscription ask for; undefined where the stream has no depth (the full book). */
  readonly bookDepths: readonly number[] | undefined
  /** Frames to subscribe to the book channel. */
  bookSubscribe(symbols: readonly CanonicalSymbol[], depth: number | undefined, reqId: number): string[]
  bookUnsubscribe(symbols: readonly CanonicalSymbol[], depth: number | undefined, reqId: number): string[]
  /** Parses any frame of a connection with the book channel on: book frames here, everything else through `parse`. Total. */
  parseBook(frame: string, recvTs: number): ParsedBookFrame
  /** Where the stream sends no snapshot of its own. */
  readonly bookSnapshot: BookSnapshotApi | undefined
  /** A connection-wide message counter of any frame, where the exchange has one (Coinbase `sequence_num`): a jump is a lost message. */
  sequenceOf?(frame: string): number | undefined
}
