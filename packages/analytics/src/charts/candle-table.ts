import { renderTable, type TableOptions, withDisplay } from '@k2/core'
import type { Table } from 'apache-arrow'
import { arrowRows, type CandleInput } from './chart-input.js'

const SHOWN = 20

/**
 * `candles` (candles, gold rows or an Arrow table of them) with a display method that shows them as
 * an HTML table in a notebook, `start` as an exact ISO-8601 UTC time; returns `candles` itself.
 * Every value is HTML-escaped (`renderTable` of `@k2/core`).
 *
 * ```ts
 * displayCandles(candles) // last expression of a cell: a table; chart(candles) draws them
 * ```
 */
export function displayCandles<T extends CandleInput>(candles: T, opts: TableOptions = {}): T {
  const micros = opts.micros ?? ['start']
  if (Array.isArray(candles)) return withDisplay(candles, () => renderTable(candles, { ...opts, micros })) as T
  const table = candles as Table
  return withDisplay(table, () => {
    const shown = arrowRows(table.slice(0, opts.maxRows ?? SHOWN))
    return renderTable(shown, { columns: table.schema.fields.map((f) => f.name), ...opts, micros, totalRows: table.numRows })
  }) as T
}
