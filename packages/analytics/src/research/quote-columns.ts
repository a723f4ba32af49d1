import type { Quote } from '@k2/core'
import type { Table } from 'apache-arrow'
import { isArrowTable, type NumericInput, objectColumn, tableColumn, toFloat64 } from './columns.js'
import { assertSameLength, invalid } from './validation.js'

/** The fields of a top-of-book quote that order-flow imbalance reads. */
export type QuoteLike = Pick<Quote, 'ts' | 'bidPrice' | 'bidQty' | 'askPrice' | 'askQty'>

/** Quotes: objects, columns, or an Arrow table with `ts`, `bid_price`, `bid_qty`, `ask_price`, `ask_qty` (camelCase works too). */
export type QuoteInput =
  | readonly QuoteLike[]
  | { ts: NumericInput; bidPrice: NumericInput; bidQty: NumericInput; askPrice: NumericInput; askQty: NumericInput }
  | Table

export interface QuoteColumns {
  ts: Float64Array
  bidPrice: Float64Array
  bidQty: Float64Array
  askPrice: Float64Array
  askQty: Float64Array
}

const FIELDS = [
  ['ts', 'ts'],
  ['bidPrice', 'bid_price'],
  ['bidQty', 'bid_qty'],
  ['askPrice', 'ask_price'],
  ['askQty', 'ask_qty'],
] as const

/** Reads any accepted form of quotes into columns of equal length. */
export function quoteColumns(input: QuoteInput, what: string): QuoteColumns {
  const out: Partial<QuoteColumns> = {}
  if (isArrowTable(input)) {
    for (const [camel, snake] of FIELDS) out[camel] = tableColumn(input, [snake, camel], what)
  } else if (Array.isArray(input)) {
    for (const [camel, snake] of FIELDS) out[camel] = objectColumn(input as readonly object[], [camel, snake], what)
  } else {
    const cols = input as Record<string, NumericInput | undefined>
    for (const [camel] of FIELDS) {
      const col = cols?.[camel]
      if (col === undefined)
        throw invalid(`${what} must be quotes, an Arrow table, or columns { ts, bidPrice, bidQty, askPrice, askQty }; ${camel} is missing`)
      out[camel] = toFloat64(col, `${what}.${camel}`)
    }
    assertSameLength(out as Record<string, Float64Array>, what)
  }
  return out as QuoteColumns
}
