import { K2Error, showValue, type Tables, type Trade } from '@k2/core'

/** A trade as `check()` takes it: a core `Trade`, or a `silver.trades` row as a lake query returns it. */
export type TradeInput = Trade | Tables['silver.trades']

/** The fields the trade checks read; `raw` is the row as given (shown in examples). */
export interface TradeRow {
  exchange: string
  symbol: string
  id: string
  price: number
  ts: number
  raw: unknown
}

/** One exchange and symbol: the unit trades are checked in. */
export interface TradeKey {
  exchange: string
  symbol: string
}

export function looksLikeTrade(x: unknown): boolean {
  return typeof x === 'object' && x !== null && 'price' in x && 'id' in x && 'ts' in x && !('open' in x)
}

export function toTradeRow(x: unknown, where: string): TradeRow {
  const r = (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>
  if (
    !looksLikeTrade(x) ||
    typeof r.exchange !== 'string' ||
    typeof r.symbol !== 'string' ||
    typeof r.id !== 'string' ||
    !Number.isSafeInteger(r.ts)
  ) {
    throw new K2Error(
      'VALIDATION',
      `${where} is not a trade (${showValue(x)}): pass core Trades or silver.trades rows, with exchange, symbol, id (a string), price and ts (epoch µs)`,
    )
  }
  return {
    exchange: r.exchange,
    symbol: r.symbol,
    id: r.id,
    price: typeof r.price === 'number' ? r.price : Number.NaN,
    ts: r.ts as number,
    raw: x,
  }
}

/** Trade id order of docs/candles.md: shorter ids first, then by code unit (numeric order for canonical decimals). */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
}

/** Exchange time, then id: the order candles are built in. */
export function compareByTs(a: TradeRow, b: TradeRow): number {
  return a.ts - b.ts || compareIds(a.id, b.id)
}
