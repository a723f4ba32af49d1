import { K2Error, MICROS_PER_MILLI, MICROS_PER_SECOND, parseTimeframe } from '@k2/core'
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
export function candleSeries(input: CandleInput, timeframe?: string): CandleSeries {
  const candles = readCandles(input).sort((a, b) => a.start - b.start)
  const first = candles[0]
  if (first === undefined) return { exchange: undefined, symbol: undefined, timeframe, bucketMillis: 0, candles }
  const keyOf = (c: ChartCandle) => [c.exchange, c.symbol, c.timeframe].filter((k) => k !== undefined).join(' ')
  const keys = [...new Set(candles.map(keyOf))]
  if (keys.length > 1)
    throw new K2Error(
      'VALIDATION',
      `a chart shows one series, these candles hold ${keys.length} (${keys.slice(0, 3).join(', ')}…): filter them to one exchange, symbol and timeframe`,
    )
  const width = timeframe ?? first.timeframe ?? smallestStep(candles)
  const bucketMillis = parseTimeframe(width).micros / MICROS_PER_MILLI
  return { exchange: first.exchange, symbol: first.symbol, timeframe: width, bucketMillis, candles }
}

/** For rows without a timeframe (an ad-hoc query's buckets): the smallest step between starts, as `Ns`. */
function smallestStep(candles: readonly ChartCandle[]): string {
  let step = Number.POSITIVE_INFINITY
  for (let i = 1; i < candles.length; i++) {
    const d = (candles[i]?.start ?? 0) - (candles[i - 1]?.start ?? 0)
    if (d > 0 && d < step) step = d
  }
  if (!Number.isFinite(step) || step % MICROS_PER_SECOND !== 0)
    throw new K2Error(
      'VALIDATION',
      'these candles have no timeframe column and it cannot be told from their starts: pass { timeframe: "1m" }',
    )
  const seconds = step / MICROS_PER_SECOND
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`
}
