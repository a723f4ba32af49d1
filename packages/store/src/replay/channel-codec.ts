import type { DuckDBDataChunk } from '@duckdb/node-api'
import { type Exchange, type TableName, type Timeframe, VENUES } from '@k2/core'
import type { ReplayEvent } from './replay-events.js'
import type { ReplayPlan } from './replay-options.js'

/**
 * How one channel's table becomes events: the columns to read (as numbers where possible, which
 * DuckDB hands over as typed arrays), the filters, and the decoding of a chunk. Rows come in file
 * order, (symbol, ts); `settle` orders a run of rows with one `ts` by the replay's tie-break (and
 * for books groups level rows into events).
 */
export interface ChannelCodec<R = unknown> {
  readonly table: TableName
  /** The SELECT list; reading starts with these columns. */
  readonly columns: string
  /** The time column the reader orders by (DuckDB sorts each file by it; files are stored by symbol, then time). */
  readonly orderBy: string
  /** Extra WHERE conditions (besides exchange, symbol) and their parameters, numbered from `first`. */
  filters(plan: ReplayPlan, unit: UnitContext, first: number): { sql: string[]; params: (number | string)[] }
  /** Rows of a chunk; `tsOf` gives each one's event time. */
  decode(chunk: DuckDBDataChunk, unit: UnitContext): R[]
  tsOf(row: R): number
  /** A run of rows with one `ts`, in read order, to events in replay order (appended to `out`). */
  settle(run: R[], out: ReplayEvent[]): void
}

/**
 * What one read unit (a data file) shares. Every codec's SELECT list is preceded by two small
 * integer columns, the venue's index in `VENUES` (the live exchanges first, then import venues such as
 * `binance-futures`) and the symbol's in `symbols` (1-based, as
 * DuckDB's `list_position`), so no string is decoded per row; `exchangeOf`/`symbolOf` map them back.
 */
export interface UnitContext {
  readonly symbols: readonly string[]
  /** Candles: the file's timeframe (gold.ohlcv is partitioned by it). */
  readonly timeframe?: Timeframe
  readonly tfMicros?: number
}

/** Column offset of a codec's first own column (after the exchange and symbol indexes). */
export const OWN = 2

/** The exchange and symbol of each row of a chunk. */
export function keysOf(chunk: DuckDBDataChunk, unit: UnitContext): { exchange: (i: number) => Exchange; symbol: (i: number) => string } {
  const ex = bytes(chunk, 0)
  const sym = (chunk.getColumnVector(1) as unknown as { items: Uint16Array }).items
  const symbols = unit.symbols
  // An imported venue's events carry its id (e.g. 'binance-futures'), typed as the exchange they extend.
  return { exchange: (i) => VENUES[(ex[i] as number) - 1] as Exchange, symbol: (i) => symbols[(sym[i] as number) - 1] as string }
}

/** The typed array behind a numeric column of a chunk (DOUBLE → Float64Array, UTINYINT → Uint8Array). */
export function numbers(chunk: DuckDBDataChunk, i: number): Float64Array {
  return (chunk.getColumnVector(i) as unknown as { items: Float64Array }).items
}

export function bytes(chunk: DuckDBDataChunk, i: number): Uint8Array {
  return (chunk.getColumnVector(i) as unknown as { items: Uint8Array }).items
}

/** A nullable column, value by value (null for SQL NULL). */
export function nullable<T>(chunk: DuckDBDataChunk, i: number): { getItem(j: number): T | null } {
  return chunk.getColumnVector(i) as unknown as { getItem(j: number): T | null }
}

/** `ts >= from AND ts < to` on a timestamptz column, exactly (bound µs). */
export function timeRange(column: string, lo: number, hi: number, first: number): { sql: string[]; params: number[] } {
  return {
    sql: [
      `"${column}" >= make_timestamp($${first}::BIGINT)::TIMESTAMPTZ`,
      `"${column}" < make_timestamp($${first + 1}::BIGINT)::TIMESTAMPTZ`,
    ],
    params: [lo, hi],
  }
}

/** Sorts a run in place by `cmp` unless it is already in order (the common case: one row). */
export function sortRun<T>(run: T[], cmp: (a: T, b: T) => number): T[] {
  for (let i = 1; i < run.length; i++) {
    if (cmp(run[i - 1] as T, run[i] as T) > 0) return run.sort(cmp)
  }
  return run
}
