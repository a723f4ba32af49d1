import type { Candle } from '@k2/core'
import type { Table } from 'apache-arrow'
import { isArrowTable, optionalTableColumn, tableColumn, tableStrings } from './columns.js'
import { invalid } from './validation.js'

/**
 * The fields of a candle the research functions read: a `Candle`, or a `gold.ohlcv` row from a query
 * (`buy_volume`, names as plain strings).
 */
export type CandleLike = Pick<Candle, 'start' | 'close' | 'volume'> & {
  buyVolume?: number
  buy_volume?: number
  exchange?: string
  symbol?: string
  timeframe?: string
}

/** Candles: objects (`Candle`, or `gold.ohlcv` rows) or an Arrow table with the lake's columns. */
export type CandleInput = readonly CandleLike[] | Table

export interface CandleColumns {
  start: Float64Array
  close: Float64Array
  volume: Float64Array
  /** NaN where the input has no taker-buy volume. */
  buyVolume: Float64Array
  exchange: (string | undefined)[]
  symbol: (string | undefined)[]
  timeframe: (string | undefined)[]
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number.NaN
}

/** Reads candles into columns. */
export function candleColumns(input: CandleInput, what: string): CandleColumns {
  if (isArrowTable(input)) {
    const start = tableColumn(input, ['start'], what)
    const none = () => new Array<string | undefined>(start.length).fill(undefined)
    return {
      start,
      close: tableColumn(input, ['close'], what),
      volume: tableColumn(input, ['volume'], what),
      buyVolume: optionalTableColumn(input, ['buy_volume', 'buyVolume']) ?? new Float64Array(start.length).fill(Number.NaN),
      exchange: tableStrings(input, 'exchange') ?? none(),
      symbol: tableStrings(input, 'symbol') ?? none(),
      timeframe: tableStrings(input, 'timeframe') ?? none(),
    }
  }
  if (!Array.isArray(input)) throw invalid(`${what} must be an array of candles or an Arrow table of candles`)
  const rows = input as readonly CandleLike[]
  rows.forEach((r, i) => {
    if (typeof r !== 'object' || r === null || !('start' in r) || !('close' in r)) {
      throw invalid(`${what}: row ${i} is not a candle (it needs start, close and volume)`, { row: i })
    }
  })
  return {
    start: Float64Array.from(rows, (r) => num(r.start)),
    close: Float64Array.from(rows, (r) => num(r.close)),
    volume: Float64Array.from(rows, (r) => num(r.volume)),
    buyVolume: Float64Array.from(rows, (r) => num(r.buyVolume ?? r.buy_volume)),
    exchange: rows.map((r) => r.exchange),
    symbol: rows.map((r) => r.symbol),
    timeframe: rows.map((r) => r.timeframe),
  }
}

/** True when the input looks like candles (it has `close` and `start`) rather than trades. */
export function looksLikeCandles(input: unknown): input is CandleInput {
  if (isArrowTable(input)) return input.getChild('close') !== null && input.getChild('start') !== null
  if (Array.isArray(input)) return input.length > 0 && typeof input[0] === 'object' && input[0] !== null && 'close' in input[0]
  return false
}
