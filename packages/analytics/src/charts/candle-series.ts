import { K2Error, MICROS_PER_MILLI, parseTimeframe } from '@k2/core'
import { type CandleInput, type ChartCandle, readCandles } from './chart-input.js'

/** Candles of one exchange, symbol and timeframe, in time order: what one chart shows. */
export interface CandleSeries {
  /** undefined for no candles */
  exchange: string | undefined
  symbol: string | undefined
  timeframe: string | undefined
  /** The width of one bucket in ms (0 for no candles). */
  bucketMillis: number
  candles: readonly ChartCandle[]
}

/**
 * The one series of `input`. A chart of two symbols (or exchanges, or timeframes) on one price axis
 * would mislead, so mixed input is refused (VALIDATION): chart each series on its own.
 */
export function candleSeries(input: CandleInput): CandleSeries {
  const candles = readCandles(input).sort((a, b) => a.start - b.start)
  const first = candles[0]
  if (first === undefined) return { exchange: undefined, symbol: undefined, timeframe: undefined, bucketMillis: 0, candles }
  const keyOf = (c: ChartCandle) => `${c.exchange} ${c.symbol} ${c.timeframe}`
  const keys = [...new Set(candles.map(keyOf))]
  if (keys.length > 1)
    throw new K2Error(
      'VALIDATION',
      `a chart shows one series, these candles hold ${keys.length} (${keys.slice(0, 3).join(', ')}…): filter them to one exchange, symbol and timeframe`,
    )
  const bucketMillis = parseTimeframe(first.timeframe).micros / MICROS_PER_MILLI
  return { exchange: first.exchange, symbol: first.symbol, timeframe: first.timeframe, bucketMillis, candles }
}
