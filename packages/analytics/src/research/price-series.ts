import type { Table } from 'apache-arrow'
import { isArrowTable, type NumericInput, objectColumn, tableColumn, toFloat64 } from './columns.js'

/** Prices: a numeric column, candles (their `close`), trades (their `price`), or an Arrow table of either. */
export type PriceInput = NumericInput | readonly ({ close: number } | { price: number })[] | Table

/**
 * Reads a price series. For tables and objects the column is `column` when given, else `close`
 * (candles) or `price` (trades), whichever exists.
 */
export function priceSeries(input: PriceInput, column: string | undefined, what: string): Float64Array {
  const names = column ? [column] : ['close', 'price']
  if (isArrowTable(input)) return tableColumn(input, names, what)
  if (Array.isArray(input) && input.length > 0 && typeof input[0] === 'object' && input[0] !== null) {
    return objectColumn(input as readonly object[], names, what)
  }
  return toFloat64(input as NumericInput, what)
}
