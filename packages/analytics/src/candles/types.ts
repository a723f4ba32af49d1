import type { Candle, Exchange, Micros, Timeframe, Trade } from '@k2/core'

/** A candle K2 computed, with its exact sums as decimal strings (gold's `*_exact` columns). */
export interface OhlcvCandle extends Candle {
  volumeExact: string
  quoteVolumeExact: string
  buyVolumeExact: string
}

/**
 * A bucket without trades under `fill: 'null'` (QuestDB `FILL(NULL)`): prices are null, volumes
 * and the count 0.
 */
export interface EmptyCandle extends Omit<OhlcvCandle, 'open' | 'high' | 'low' | 'close' | 'vwap'> {
  open: null
  high: null
  low: null
  close: null
  vwap: null
}

/**
 * A candle from a live stream. The first time a bucket closes it comes with `revision: 0`; a late
 * trade within `allowedLateness` (or a coverage change) re-emits the whole revised candle with the
 * next revision. Keep the highest revision per (exchange, symbol, timeframe, start).
 */
export type StreamCandle<C = OhlcvCandle> = C & { revision: number }

export type Fill = 'none' | 'prev' | 'null'

/** A break in coverage: `[start, end)` in exchange µs. */
export type CoverageBreak = readonly [start: Micros, end: Micros]

export interface OhlcvOptions {
  /** Shifts bucket boundaries by this many µs (e.g. 8 h: 1d candles from 08:00 UTC). Default 0. */
  offset?: Micros
  /** Empty buckets: skipped (`none`, the default), the previous close (`prev`) or null prices (`null`). */
  fill?: Fill
  /**
   * For arrays, iterables, Arrow tables and batches: time not covered by the data (an outage);
   * candles overlapping it get `complete: false`. Applies to every exchange and symbol.
   */
  gaps?: readonly CoverageBreak[]
}

export interface StreamOptions extends OhlcvOptions {
  /**
   * How far behind the newest trade (µs, per exchange and symbol) a trade may arrive and still count.
   * Default 0: a bucket is final as soon as a later bucket's first trade arrives.
   */
  allowedLateness?: Micros
  /** Trades that arrive after their bucket became final: they are counted in `stats.late` and handed here. */
  onLate?: (trade: Trade, info: LateInfo) => void
}

export interface LateInfo {
  timeframe: Timeframe
  /** Start of the bucket the trade belongs to. */
  bucketStart: Micros
  /** The watermark (newest ts of its exchange and symbol minus the allowed lateness) it missed. */
  watermark: Micros
}

export interface StreamStats {
  /** Trades taken in (each counted once, whatever the number of timeframes). */
  trades: number
  /** Trades that arrived after their bucket was final (per timeframe). */
  late: number
  /** Candles emitted again because a late trade or a coverage change revised them. */
  corrections: number
  /** Candles emitted, corrections included. */
  emitted: number
}

/** A plain columnar batch: typed arrays (or plain arrays) of equal length. */
export interface TradeColumns {
  /** Exchange time, epoch µs (Float64Array, BigInt64Array or number[]). */
  ts: ArrayLike<number> | BigInt64Array
  price: ArrayLike<number>
  qty: ArrayLike<number>
  /** `buy` / `sell` / `unknown` per row, or 1 where the taker bought. Absent: no taker-buy volume. */
  side?: ArrayLike<string | null> | Uint8Array
  /** Trade ids, to order trades of the same ts. Absent: the row order breaks ties. */
  id?: ArrayLike<string | number | bigint | null>
  /** Per row, or one value for all rows. Default `unknown`. */
  exchange?: ArrayLike<string> | Exchange | string
  symbol?: ArrayLike<string> | string
}
