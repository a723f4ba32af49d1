import { type Candle, K2Error, MICROS_PER_MILLI, type Micros, showValue } from '@k2/core'
import { type Table, Type } from 'apache-arrow'

/**
 * A row of `gold.ohlcv` as the query layer returns it: snake_case columns, `start` in epoch µs.
 * `exchange`, `symbol` and `timeframe` may be absent, as in an ad-hoc query's buckets.
 */
export interface GoldCandleRow {
  exchange?: string
  symbol?: string
  timeframe?: string
  start: Micros
  /** null in an empty bucket filled with `fill: 'null'` (or a query's): such rows are left out of a chart */
  open: number | null
  high: number | null
  low: number | null
  close: number | null
  volume: number | null
  quote_volume?: number | null
  trades?: number | bigint | null
  buy_volume?: number | null
  vwap?: number | null
  complete?: boolean | null
  source?: string | null
}

/** What the chart functions accept: candles, gold rows, or an Arrow table of gold rows. */
export type CandleInput = readonly Candle[] | readonly GoldCandleRow[] | Table

/** One candle as the charts read it, whatever it came as (camelCase, `start` in µs). */
export interface ChartCandle {
  /** undefined for rows without the column (e.g. an ad-hoc query's buckets) */
  exchange: string | undefined
  symbol: string | undefined
  timeframe: string | undefined
  start: Micros
  open: number
  high: number
  low: number
  close: number
  volume: number
  quoteVolume: number | null
  trades: number | null
  buyVolume: number | null
  vwap: number | null
  complete: boolean
}

/** The candles of `input` in their order, each checked to have the fields a chart needs. */
export function readCandles(input: CandleInput): ChartCandle[] {
  const rows = isArrowTable(input) ? arrowRows(input) : (input as readonly Record<string, unknown>[])
  // an empty bucket (all prices null, as `fill: 'null'` makes) has nothing to draw: it shows as a gap
  return rows.flatMap((row, i) => (PRICES.every((p) => row[p] === null) ? [] : [toChartCandle(row, i)]))
}

function isArrowTable(input: CandleInput): input is Table {
  return !Array.isArray(input) && typeof (input as Table).getChild === 'function'
}

/** Rows of an Arrow table; a Timestamp `start` (which Arrow hands out as ms, whatever its unit) becomes µs. */
export function arrowRows(table: Table): Record<string, unknown>[] {
  const start = table.schema.fields.find((f) => f.name === 'start')
  const startInMillis = start !== undefined && start.typeId === Type.Timestamp
  return table.toArray().map((r) => {
    const row = (r as { toJSON(): Record<string, unknown> }).toJSON()
    if (startInMillis && typeof row.start === 'number') row.start = row.start * MICROS_PER_MILLI
    return row
  })
}

const PRICES = ['open', 'high', 'low', 'close'] as const

function toChartCandle(row: Record<string, unknown>, index: number): ChartCandle {
  const bad = (field: string, wants: string): never => {
    throw new K2Error('VALIDATION', `candle ${index}: ${field} must be ${wants}, got ${showValue(row[field])}`, {
      details: { index, field },
    })
  }
  const text = (field: string) =>
    row[field] === undefined || row[field] === null ? undefined : typeof row[field] === 'string' ? row[field] : bad(field, 'a string')
  const finite = (field: string) => {
    const v = typeof row[field] === 'bigint' ? Number(row[field]) : row[field]
    return typeof v === 'number' && Number.isFinite(v) ? v : bad(field, 'a finite number')
  }
  const optional = (camel: string, snake = camel) => {
    const field = camel in row ? camel : snake
    return row[field] === null || row[field] === undefined ? null : finite(field)
  }
  const start = typeof row.start === 'bigint' ? Number(row.start) : row.start
  if (typeof start !== 'number' || !Number.isSafeInteger(start)) bad('start', 'epoch microseconds (a safe integer)')
  const [open, high, low, close] = PRICES.map(finite) as [number, number, number, number]
  if (!(low <= Math.min(open, close) && Math.max(open, close) <= high))
    throw new K2Error('VALIDATION', `candle ${index}: needs low ≤ open, close ≤ high, got ${showValue({ open, high, low, close })}`)
  return {
    exchange: text('exchange'),
    symbol: text('symbol'),
    timeframe: text('timeframe'),
    start: start as Micros,
    open,
    high,
    low,
    close,
    volume: optional('volume') ?? 0,
    quoteVolume: optional('quoteVolume', 'quote_volume'),
    trades: optional('trades'),
    buyVolume: optional('buyVolume', 'buy_volume'),
    vwap: optional('vwap'),
    complete: row.complete !== false, // absent (older rows, plain OHLC) counts as complete
  }
}
