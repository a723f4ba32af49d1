import type { Trade } from '@k2/core'
import type { Table } from 'apache-arrow'
import { isArrowTable, type NumericInput, objectColumn, tableColumn, tableStrings, toFloat64 } from './columns.js'
import { assertSameLength, invalid } from './validation.js'

/** The fields of a trade the research functions read (a `Trade` has them; `side` may be left out). */
export type TradeLike = Pick<Trade, 'ts' | 'price' | 'qty'> & { side?: Trade['side'] | null }

/** Trades as columns: `ts` in epoch µs, `side` as 'buy' | 'sell' | anything else (unknown). */
export interface TradeColumnsInput {
  ts: NumericInput
  price: NumericInput
  qty: NumericInput
  side?: ArrayLike<string | null | undefined>
}

/** Trades: objects, columns, or an Arrow table with the lake's columns `ts`, `price`, `qty`, `side`. */
export type TradeInput = readonly TradeLike[] | TradeColumnsInput | Table

/** Trades read into columns; `sign` is +1 for a taker buy, −1 for a taker sell, 0 when unknown. */
export interface TradeColumns {
  ts: Float64Array
  price: Float64Array
  qty: Float64Array
  sign: Int8Array
}

function signs(sides: ArrayLike<string | null | undefined> | undefined, n: number): Int8Array {
  const out = new Int8Array(n)
  if (!sides) return out
  for (let i = 0; i < n; i++) out[i] = sides[i] === 'buy' ? 1 : sides[i] === 'sell' ? -1 : 0
  return out
}

/** Just times and prices (TWAP needs no quantities): trades, or columns / a table with `ts` and `price`. */
export type TimePriceInput = TradeInput | readonly Pick<TradeLike, 'ts' | 'price'>[] | { ts: NumericInput; price: NumericInput }

/** Reads the `ts` and `price` of any accepted form of trades. */
export function timePriceColumns(input: TimePriceInput, what: string): { ts: Float64Array; price: Float64Array } {
  if (isArrowTable(input)) return { ts: tableColumn(input, ['ts'], what), price: tableColumn(input, ['price'], what) }
  if (Array.isArray(input)) {
    const rows = input as readonly object[]
    return { ts: objectColumn(rows, ['ts'], what), price: objectColumn(rows, ['price'], what) }
  }
  const cols = input as { ts?: NumericInput; price?: NumericInput }
  if (!cols || cols.ts === undefined || cols.price === undefined) {
    throw invalid(`${what} must be an array of trades, an Arrow table, or columns { ts, price }`)
  }
  assertSameLength({ ts: cols.ts, price: cols.price }, what)
  return { ts: toFloat64(cols.ts, `${what}.ts`), price: toFloat64(cols.price, `${what}.price`) }
}

/** Reads any accepted form of trades into columns of equal length. */
export function tradeColumns(input: TradeInput, what = 'trades'): TradeColumns {
  if (isArrowTable(input)) {
    const ts = tableColumn(input, ['ts'], what)
    return {
      ts,
      price: tableColumn(input, ['price'], what),
      qty: tableColumn(input, ['qty'], what),
      sign: signs(tableStrings(input, 'side'), ts.length),
    }
  }
  if (Array.isArray(input)) {
    const rows = input as readonly TradeLike[]
    return {
      ts: objectColumn(rows, ['ts'], what),
      price: objectColumn(rows, ['price'], what),
      qty: objectColumn(rows, ['qty'], what),
      sign: signs(
        rows.map((r) => r.side),
        rows.length,
      ),
    }
  }
  const cols = input as TradeColumnsInput
  if (!cols || cols.ts === undefined || cols.price === undefined || cols.qty === undefined) {
    throw invalid(`${what} must be an array of trades, an Arrow table, or columns { ts, price, qty, side? }`)
  }
  const n = assertSameLength({ ts: cols.ts, price: cols.price, qty: cols.qty, ...(cols.side ? { side: cols.side } : {}) }, what)
  return {
    ts: toFloat64(cols.ts, `${what}.ts`),
    price: toFloat64(cols.price, `${what}.price`),
    qty: toFloat64(cols.qty, `${what}.qty`),
    sign: signs(cols.side, n),
  }
}
