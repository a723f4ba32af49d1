import type { BookDelta, BookSnapshot, Candle, DeadLetter, Quote, RawFrame, TableInputs, TableName, Tables, Trade } from '@k2/core'

/**
 * What writers accept: table rows (snake_case columns, times as epoch µs) for every table, and for
 * convenience the core objects that map onto a table — `Trade` → silver.trades, `BookSnapshot` /
 * `BookDelta` → silver.book (one row per level), `Quote` → silver.quotes, `Candle` → gold.ohlcv, `RawFrame` → bronze.frames,
 * `DeadLetter` → bronze.dlq. Anything else is passed through and checked against the schema.
 */
export type WriterInput<T extends TableName> = TableInputs[T] | InputEvent<T>

type InputEvent<T extends TableName> = T extends 'silver.trades'
  ? Trade
  : T extends 'silver.book'
    ? BookSnapshot | BookDelta
    : T extends 'silver.quotes'
      ? Quote
      : T extends 'gold.ohlcv'
        ? Candle
        : T extends 'bronze.frames'
          ? RawFrame
          : T extends 'bronze.dlq'
            ? DeadLetter
            : never

export function bookRows(b: BookSnapshot | BookDelta): Tables['silver.book'][] {
  const base = {
    exchange: b.exchange,
    symbol: b.symbol,
    kind: b.type === 'book_snapshot' ? 'snapshot' : 'delta',
    sequence: b.sequence ?? null,
    first_sequence: b.firstSequence ?? null,
    checksum: b.checksum ?? null,
    snapshot_interval: (b.type === 'book_snapshot' ? b.interval : undefined) ?? null,
    ts: b.ts,
    recv_ts: b.recvTs,
  }
  return [
    ...b.bids.map(([price, qty]) => ({ ...base, side: 'bid', price, qty })),
    ...b.asks.map(([price, qty]) => ({ ...base, side: 'ask', price, qty })),
  ]
}

/** Writer input for silver.book: book events expand to one row per level; rows pass through. */
export function expandBooks(input: readonly unknown[]): unknown[] {
  const out: unknown[] = []
  for (const x of input) {
    const o = x as { type?: unknown } | null
    if (o !== null && typeof o === 'object' && (o.type === 'book_snapshot' || o.type === 'book_delta'))
      out.push(...bookRows(o as BookSnapshot))
    else out.push(x)
  }
  return out
}
