/**
 * @k2/feeds — live trade feeds for Binance, Kraken, Coinbase and Bitstamp that lose nothing: one pure
 * adapter per exchange, a connection that reconnects, pings and moves to a new socket when asked, and a
 * `Feed` that detects gaps, heals them from REST history, drops duplicates and bounds its memory.
 * The exchange simulator for tests and demos is in `@k2/feeds/testing`.
 * @packageDocumentation
 */
export const PACKAGE_NAME = '@k2/feeds'

export type {
  AdapterOptions,
  BookAdapter,
  BookMessage,
  BookSnapshotApi,
  ExchangeAdapter,
  FeedChannel,
  HistoryApi,
  ParsedBookFrame,
  ParsedFrame,
} from './adapters/adapter.js'
export { BinanceAdapter } from './adapters/binance.js'
export { BitstampAdapter } from './adapters/bitstamp.js'
export { CoinbaseAdapter } from './adapters/coinbase.js'
export { createAdapter } from './adapters/index.js'
export { KrakenAdapter, krakenToCanonical } from './adapters/kraken.js'
export {
  BookSynchronizer,
  type BookSynchronizerOptions,
  type Desync,
  type Resync,
  type SyncResult,
} from './book/book-synchronizer.js'
export { type BookText, OrderBook, type OrderBookOptions } from './book/order-book.js'
export { binanceFirst, binanceNext, bitstampNext, coinbaseNext, type DesyncReason, type Verdict } from './book/sequence-rules.js'
export { TopOfBook } from './book/top-of-book.js'
export { Feed, openFeed } from './feed.js'
export { FeedEmitter, type FeedListeners } from './feed-emitter.js'
export type { FeedOptions } from './feed-options.js'
export type { FeedStats, SymbolStats } from './feed-stats.js'
export { MergedFeed, openFeeds } from './merged-feed.js'
