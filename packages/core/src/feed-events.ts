import { z } from 'zod'
import type { K2Error } from './errors.js'
import type { BookDelta, BookSnapshot, MarketEvent, Quote, Trade } from './events.js'
import { MicrosSchema } from './events.js'
import { ExchangeSchema, SymbolSchema } from './symbols.js'

/**
 * What a feed reports besides market events. These types live in core so that a sink (the lake's
 * `pipe`) can consume any feed without importing `@k2/feeds`.
 */

/** One raw message exactly as the exchange sent it, kept verbatim in the bronze layer. */
export const RawFrameSchema = z.object({
  exchange: ExchangeSchema,
  /** Which stream or channel it arrived on, as the adapter names it (e.g. `trades`, `book`). */
  channel: z.string(),
  recvTs: MicrosSchema,
  /** Identifies the connection, so frames of overlapping connections can be told apart. */
  connectionId: z.number().int().nonnegative(),
  data: z.string(),
})
export type RawFrame = z.infer<typeof RawFrameSchema>

/** A frame that could not be parsed or validated: it goes to the dead-letter sink, never thrown. */
export const DeadLetterSchema = z.object({
  exchange: ExchangeSchema,
  recvTs: MicrosSchema,
  raw: z.string(),
  errorCode: z.string(),
  errorMessage: z.string(),
})
export type DeadLetter = z.infer<typeof DeadLetterSchema>

/**
 * A break in a symbol's trade-id (or sequence) series: ids `fromId`..`toId` inclusive are missing.
 * `state` says what became of it: `open` when found, then `healed` (fetched from the exchange's
 * history) or `unhealed` (history unavailable or failed).
 */
export const GapSchema = z.object({
  exchange: ExchangeSchema,
  symbol: SymbolSchema,
  fromId: z.string(),
  toId: z.string(),
  detectedTs: MicrosSchema,
  state: z.enum(['open', 'healed', 'unhealed']),
  healedBy: z.enum(['rest', 'import']).optional(),
  reason: z.string().optional(),
})
export type Gap = z.infer<typeof GapSchema>

/** Connection and subscription state changes; the lake turns them into coverage intervals. */
export const FeedStatusSchema = z.object({
  exchange: ExchangeSchema,
  state: z.enum(['connecting', 'connected', 'subscribed', 'stale', 'disconnected', 'closed']),
  ts: MicrosSchema,
  connectionId: z.number().int().nonnegative(),
  /** Symbols this change concerns; all of the feed's symbols when absent. */
  symbols: z.array(SymbolSchema).optional(),
  reason: z.string().optional(),
})
export type FeedStatus = z.infer<typeof FeedStatusSchema>

/**
 * A book found wrong (a failed checksum, a sequence gap, a crossed book, a stale snapshot) or dropped by
 * a reconnect: the feed emits nothing more for the symbol until its next snapshot, which it asks for itself.
 */
export const BookDesyncSchema = z.object({
  exchange: ExchangeSchema,
  symbol: SymbolSchema,
  reason: z.enum(['checksum', 'sequence_gap', 'out_of_order', 'crossed', 'stale_snapshot', 'reconnect']),
  /** What was seen, with the numbers (ids, checksums, times). */
  detail: z.string(),
  ts: MicrosSchema,
})
export type BookDesync = z.infer<typeof BookDesyncSchema>

/** Events a feed emits, by name. */
export interface FeedEventMap {
  trade: Trade
  book: BookSnapshot | BookDelta
  quote: Quote
  desync: BookDesync
  frame: RawFrame
  dlq: DeadLetter
  gap: Gap
  status: FeedStatus
  error: K2Error
}

export type FeedEventName = keyof FeedEventMap

/**
 * The contract between a source of market data and a sink: an async iterable of normalized events
 * plus named side-channel events. `@k2/feeds`' `Feed` implements it; so can a replay or a test.
 * `E` is what it yields: a live feed yields `MarketEvent`s; a lake replay (`@k2/store`) also yields
 * closed candles and disconnect markers, so a strategy written for it runs on either.
 */
export interface MarketEventSource<E = MarketEvent> extends AsyncIterable<E> {
  on<K extends FeedEventName>(event: K, listener: (payload: FeedEventMap[K]) => void): unknown
  off<K extends FeedEventName>(event: K, listener: (payload: FeedEventMap[K]) => void): unknown
  close(): Promise<void>
}
