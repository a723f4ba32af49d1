/**
 * @k2/analytics — see the package README. The public API grows here as its issue is built.
 * @packageDocumentation
 */
export const PACKAGE_NAME = '@k2/analytics'

// Candles (issue 12, streaming side): see docs/candles.md for what every field means.
export { CandleAggregator, type StreamTrade } from './candles/aggregator.js'
export type { TradeLike } from './candles/columns.js'
export { ExactSum } from './candles/exact-sum.js'
export { ohlcv, type TradeBatch } from './candles/ohlcv.js'
export { type LowerCandle, type ResampleOptions, resample } from './candles/resample.js'
export { CandleStream } from './candles/stream.js'
export { compareIds, compareTrades } from './candles/trade-order.js'
export type {
  CoverageBreak,
  EmptyCandle,
  Fill,
  LateInfo,
  OhlcvCandle,
  OhlcvOptions,
  StreamCandle,
  StreamOptions,
  StreamStats,
  TradeColumns,
} from './candles/types.js'
