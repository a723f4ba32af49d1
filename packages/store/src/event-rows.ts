import type { BookDelta, BookSnapshot, Candle, DeadLetter, RawFrame, TableName, Tables, Trade } from '@k2/core'
import { K2Error } from '@k2/core'

/**
 * What writers accept: table rows (snake_case columns, times as epoch µs) for every table, and for
 * convenience the core objects that map onto a table — `Trade` → silver.trades, `BookSnapshot` /
 * `BookDelta` → silver.book (one row per level), `Candle` → gold.ohlcv, `RawFrame` → bronze.frames,
 * `DeadLetter` → bronze.dlq. Anything else is passed through and checked against the schema.
 */
export type WriterInput<T extends TableName> = Tables[T] | InputEvent<T>

type InputEvent<T extends TableName> = T extends 'silver.trades'
  ? Trade
  : T extends 'silver.book'
    ? BookSnapshot | BookDelta
    : T extends 'gold.ohlcv'
      ? Candle
      : T extends 'bronze.frames'
        ? RawFrame
        : T extends 'bronze.dlq'
          ? DeadLetter
          : never

type Obj = Record<string, unknown>

export function bookRows(b: BookSnapshot | BookDelta): Tables['silver.book'][] {
  const base = {
    exchange: b.exchange,
    symbol: b.symbol,
    kind: b.type === 'book_snapshot' ? 'snapshot' : 'delta',
    sequence: b.sequence ?? null,
    checksum: b.checksum ?? null,
    ts: b.ts,
    recv_ts: b.recvTs,
  }
  return [
    ...b.bids.map(([price, qty]) => ({ ...base, side: 'bid', price, qty })),
    ...b.asks.map(([price, qty]) => ({ ...base, side: 'ask', price, qty })),
  ]
}

/**
 * Appends the table rows of `input` to `out`. Objects whose fields are the columns (or their
 * camelCase aliases, as in `Trade`) are passed through as they are — no copy; books expand to one
 * row per level.
 */
export function pushRows(table: TableName, input: readonly unknown[], out: Obj[]): void {
  const books = table === 'silver.book'
  for (const x of input) {
    const o = x as Obj
    if (o === null || typeof o !== 'object' || Array.isArray(o)) {
      throw new K2Error(
        'VALIDATION',
        `row ${out.length} of ${table} is ${JSON.stringify(o)}, not an object: pass rows as objects keyed by column name (nothing was written)`,
      )
    }
    if (books && (o.type === 'book_snapshot' || o.type === 'book_delta')) out.push(...bookRows(o as unknown as BookSnapshot))
    else out.push(o)
  }
}
