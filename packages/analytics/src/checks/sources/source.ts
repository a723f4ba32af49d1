import type { CoverageReport } from '@k2/store'
import type { CandleGroup } from '../candle-checker.js'
import type { CandleRow } from '../candle-row.js'
import type { TradeDayKey } from '../coverage-check.js'
import type { BucketPrice } from '../divergence.js'
import type { TradeDay } from '../price-jump.js'
import type { TradeKey, TradeRow } from '../trade-row.js'

type Rows<R> = AsyncIterable<R> | Iterable<R>

/** Where candle checks read from: groups of (exchange, symbol, source), each group's rows ordered by start. */
export interface CandleSource {
  readonly target: string
  groups(): Rows<{ group: CandleGroup; rows: () => Rows<CandleRow> }>
}

/** Where trade checks read from, in the orders they need. */
export interface TradeSource {
  readonly target: string
  /** Each exchange/symbol, its trades ordered by id (`compareIds`). */
  byId(): Rows<{ key: TradeKey; rows: () => Rows<TradeRow> }>
  /** Each exchange/symbol/UTC day, its trades ordered by ts then id. */
  days(): Rows<TradeDay>
  /** Per symbol and bucket of `width` µs, each exchange's median or last price; ordered by symbol, bucket. */
  bucketPrices(width: number, price: 'median' | 'last'): Rows<BucketPrice>
}

/** Coverage of a lake: the days that have trades, and the answer for each. */
export interface CoverageSource {
  days(): Rows<TradeDayKey>
  coverage(q: TradeDayKey): Promise<CoverageReport>
}
