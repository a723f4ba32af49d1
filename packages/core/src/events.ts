import { z } from 'zod'
import { ExchangeSchema, SymbolSchema } from './symbols.js'
import { TimeframeSchema } from './timeframe.js'

/** Epoch µs: a safe integer. */
export const MicrosSchema = z.number().int().refine(Number.isSafeInteger, { message: 'expected epoch µs as a safe integer' })
const price = z.number().positive().finite()
const quantity = z.number().nonnegative().finite()
const positiveQty = z.number().positive().finite()

/** The taker (aggressor) side of a trade; `unknown` only where the source does not say. */
export const SideSchema = z.enum(['buy', 'sell', 'unknown'])
export type Side = z.infer<typeof SideSchema>

const eventBase = {
  exchange: ExchangeSchema,
  symbol: SymbolSchema,
  /** Exchange time, epoch µs. */
  ts: MicrosSchema,
  /** Local receive time, epoch µs. */
  recvTs: MicrosSchema,
}

export const TradeSchema = z.object({
  type: z.literal('trade'),
  ...eventBase,
  /** The exchange's trade id as a decimal string (unique per exchange and symbol). */
  id: z.string().min(1).max(64),
  price,
  qty: positiveQty,
  side: SideSchema,
})
export type Trade = z.infer<typeof TradeSchema>

/** A price level: `[price, qty]`. In a delta, qty 0 removes the level. */
export const LevelSchema = z.tuple([price, quantity])
export type Level = z.infer<typeof LevelSchema>

const bookBase = {
  ...eventBase,
  bids: z.array(LevelSchema),
  asks: z.array(LevelSchema),
  /** The exchange's sequence / update id, where it has one (Binance: the last update id `u` / `lastUpdateId`). */
  sequence: z.number().int().nonnegative().optional(),
  /** The first update id a message covers, where the exchange sends a range (Binance diff depth `U`). */
  firstSequence: z.number().int().nonnegative().optional(),
  /** The exchange's book checksum after this message, where it sends one (Kraken CRC32). */
  checksum: z.number().int().optional(),
}

export const BookSnapshotSchema = z.object({
  type: z.literal('book_snapshot'),
  ...bookBase,
  /**
   * Set only on top-N snapshots: those a feed takes itself at the end of every interval
   * (`bookSnapshots` option), e.g. `'1s'`, where `ts` is the interval's end; and `'tick'` on imported
   * Tardis `book_snapshot_N` rows (the top N after every change). Absent on full books.
   */
  interval: z.string().min(1).optional(),
})
export type BookSnapshot = z.infer<typeof BookSnapshotSchema>

export const BookDeltaSchema = z.object({ type: z.literal('book_delta'), ...bookBase })
export type BookDelta = z.infer<typeof BookDeltaSchema>

/** Top of book. */
export const QuoteSchema = z.object({
  type: z.literal('quote'),
  ...eventBase,
  bidPrice: price,
  bidQty: quantity,
  askPrice: price,
  askQty: quantity,
})
export type Quote = z.infer<typeof QuoteSchema>

/** An OHLCV candle; `start` is the bucket start (epoch µs, UTC, epoch-aligned unless built with an offset). */
export const CandleSchema = z
  .object({
    exchange: ExchangeSchema,
    symbol: SymbolSchema,
    timeframe: TimeframeSchema,
    start: MicrosSchema,
    open: price,
    high: price,
    low: price,
    close: price,
    /** Base-asset volume. */
    volume: quantity,
    /** Quote-asset volume: Σ price × qty. */
    quoteVolume: quantity,
    trades: z.number().int().nonnegative(),
    /** Base volume of trades whose taker bought. */
    buyVolume: quantity,
    /** quoteVolume / volume, clamped into [low, high]. */
    vwap: price,
    /** False when the bucket overlaps a coverage gap (a disconnect or an unhealed id gap): trades may be missing. */
    complete: z.boolean(),
    /** `trades`: computed by K2 from trades; `exchange`: the exchange's own candle (klines), kept apart to reconcile. */
    source: z.enum(['trades', 'exchange']),
  })
  .refine((c) => c.low <= c.open && c.low <= c.close && c.high >= c.open && c.high >= c.close && c.low <= c.high, {
    message: 'candle must satisfy low <= open, close <= high',
  })
  .refine((c) => c.buyVolume <= c.volume * (1 + 1e-12), { message: 'buyVolume cannot exceed volume' })
export type Candle = z.infer<typeof CandleSchema>

/** Any normalized market event a feed emits. */
export const MarketEventSchema = z.discriminatedUnion('type', [TradeSchema, BookSnapshotSchema, BookDeltaSchema, QuoteSchema])
export type MarketEvent = z.infer<typeof MarketEventSchema>
