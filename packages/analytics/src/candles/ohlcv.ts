import { K2Error, type MarketEvent, parseTimeframe, showValue, type Timeframe } from '@k2/core'
import type { Table } from 'apache-arrow'
import type { StreamTrade } from './aggregator.js'
import { checkOffset } from './aggregator.js'
import { fromArrowTable, isArrowTable } from './arrow-input.js'
import { batchCandles, type NormalizedBatch } from './batch.js'
import { fromTradeColumns, fromTradeObjects, type TradeLike } from './columns.js'
import { CandleStream } from './stream.js'
import type { EmptyCandle, OhlcvCandle, OhlcvOptions, StreamOptions, TradeColumns } from './types.js'

/** Anything `ohlcv` computes candles of in one go. */
export type TradeBatch = readonly TradeLike[] | Iterable<TradeLike> | Table | TradeColumns

/**
 * OHLCV candles from trades, following docs/candles.md (exact sums, (ts, id) order, UTC buckets).
 *
 * - Arrays, iterables, Arrow tables (silver.trades columns) and columnar batches give `Candle[]`
 *   at once, sorted by timeframe (as given), exchange, symbol and start. All rows count, in any order.
 * - An async iterable (a feed) gives a {@link CandleStream}: each candle when its bucket closes in
 *   exchange time, corrections for late trades, the open candles when the source ends.
 *
 * @example
 * const candles = ohlcv(trades, '5m', { fill: 'prev' })
 * for await (const c of ohlcv(feed, '1m', { allowedLateness: 2_000_000 })) console.log(c.start, c.close, c.revision)
 */
export function ohlcv(
  source: TradeBatch,
  timeframes: Timeframe | readonly Timeframe[],
  options: OhlcvOptions & { fill: 'null' },
): Array<OhlcvCandle | EmptyCandle>
export function ohlcv(source: TradeBatch, timeframes: Timeframe | readonly Timeframe[], options?: OhlcvOptions): OhlcvCandle[]
export function ohlcv(
  source: AsyncIterable<MarketEvent | StreamTrade>,
  timeframes: Timeframe | readonly Timeframe[],
  options: StreamOptions & { fill: 'null' },
): CandleStream<OhlcvCandle | EmptyCandle>
export function ohlcv(
  source: AsyncIterable<MarketEvent | StreamTrade>,
  timeframes: Timeframe | readonly Timeframe[],
  options?: StreamOptions,
): CandleStream
export function ohlcv(
  source: TradeBatch | AsyncIterable<MarketEvent | StreamTrade>,
  timeframes: Timeframe | readonly Timeframe[],
  options: StreamOptions = {},
): Array<OhlcvCandle | EmptyCandle> | CandleStream<OhlcvCandle | EmptyCandle> {
  if (isAsyncIterable(source)) return new CandleStream(source, timeframes, options)
  const list = (typeof timeframes === 'string' ? [timeframes] : timeframes).map(parseTimeframe)
  if (list.length === 0) throw new K2Error('VALIDATION', 'ohlcv: no timeframe given; pass one such as "1m", or a list')
  checkOffset(options.offset)
  checkFill(options.fill)
  const batch = normalize(source)
  return list.flatMap((tf) => batchCandles(batch, tf, options.offset ?? 0, options.fill ?? 'none', options.gaps ?? []))
}

function normalize(source: unknown): NormalizedBatch {
  if (Array.isArray(source)) return fromTradeObjects(source as TradeLike[])
  if (isArrowTable(source)) return fromArrowTable(source)
  if (isColumns(source)) return fromTradeColumns(source)
  if (source !== null && typeof source === 'object' && Symbol.iterator in source)
    return fromTradeObjects(Array.from(source as Iterable<TradeLike>))
  throw new K2Error(
    'VALIDATION',
    `ohlcv: cannot read trades from ${showValue(source)}; pass an array or iterable of trades, an Arrow table, columns { ts, price, qty }, or an async iterable (a feed)`,
  )
}

function isColumns(v: unknown): v is TradeColumns {
  const c = v as TradeColumns
  return typeof v === 'object' && v !== null && hasLength(c.ts) && hasLength(c.price) && hasLength(c.qty)
}

function hasLength(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as ArrayLike<unknown>).length === 'number'
}

function isAsyncIterable(v: unknown): v is AsyncIterable<MarketEvent | StreamTrade> {
  return typeof v === 'object' && v !== null && typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
}

function checkFill(fill: unknown): void {
  if (fill !== undefined && fill !== 'none' && fill !== 'prev' && fill !== 'null')
    throw new K2Error('VALIDATION', `ohlcv: fill must be 'none', 'prev' or 'null', got ${showValue(fill)}`)
}
