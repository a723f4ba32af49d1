import type { TableName } from '@k2/core'

/** The file formats K2 imports (see docs/import.md). */
export const IMPORT_FORMATS = [
  'binance-trades',
  'binance-agg-trades',
  'binance-klines',
  'kraken-trades',
  'tardis-trades',
  'tardis-book',
  'tardis-book-snapshot',
  'tardis-quotes',
] as const
export type ImportFormat = (typeof IMPORT_FORMATS)[number]

/** What a format's SQL gets: the chunk's rows (`raw`) and how to name the venue and symbol of a row. */
export interface SqlContext {
  /** A SQL expression for the row's venue (a literal, or the file's exchange column). */
  venue: string
  /** A SQL expression for the row's canonical symbol (a literal, or a CASE over the file's symbols). */
  symbol: string
  /** Extra values a format needs (klines: the timeframe). */
  timeframe?: string
  /** The relation holding the parsed rows (default `raw`), and extra columns to pass through (`, __why`). */
  from?: string
  extra?: string
  /** Kraken: ids continue a run of equal timestamps from the previous chunk. */
  carry?: { ts: bigint; count: number } | null
}

/**
 * One CSV layout. Lines are parsed by DuckDB's CSV reader with these typed columns (a line that
 * does not parse is a bad row with DuckDB's reason); `reason` is SQL that names what else is wrong
 * with a parsed row (NULL when nothing is); `select` maps good rows to the table's columns.
 */
export interface FormatSpec {
  id: ImportFormat
  table: Extract<TableName, 'silver.trades' | 'silver.book' | 'silver.quotes' | 'gold.ohlcv'>
  /** True when the first line is a header and not data. */
  isHeader(firstLine: string): boolean
  /** The file's own venue and symbol columns (Tardis), when it has them. */
  instrumentColumns?: { venue: string; symbol: string }
  /** The layout of a file, from its first data line's number of fields and its header; a string says why it does not fit. */
  prepare(fields: number, header: string[] | null): Layout | string
}

export interface Layout {
  /** The typed columns of a data line (DuckDB types). */
  columns: [string, string][]
  reason: string
  select(ctx: SqlContext): string
}

/**
 * Epoch ms or µs (Binance's spot files switched to µs in 2025) → epoch µs, told apart by magnitude
 * (10^14 µs is 1973, 10^14 ms the year 5138).
 */
export const msOrUsMicros = (c: string) => `CASE WHEN ${c} < 100000000000000 THEN ${c} * 1000 ELSE ${c} END`
/** make_timestamptz(µs) is exact and cheap; make_timestamp(µs)::TIMESTAMPTZ costs a time-zone conversion a value. */
export const msOrUs = (c: string) => `make_timestamptz(${msOrUsMicros(c)})`
export const us = (c: string) => `make_timestamptz(${c})`

/** SQL: the first true condition's reason, or NULL. */
export function firstReason(checks: [string, string][]): string {
  return `CASE ${checks.map(([bad, why]) => `WHEN ${bad} THEN '${why.replaceAll("'", "''")}'`).join(' ')} ELSE NULL END`
}

/** A positive, finite number (a price, a quantity). */
export const positive = (c: string) => `NOT coalesce(${c} > 0 AND isfinite(${c}), false)`
/** Epoch µs outside the lake's accepted times, 2009..2100 (catches seconds or ns given as µs). */
export const badMicros = (c: string) => `(${c} IS NULL OR ${c} < 1230768000000000 OR ${c} >= 4102444800000000)`

/** A format whose columns depend only on the field count and header, with fixed checks and mapping. */
export interface SimpleFormat extends Omit<FormatSpec, 'prepare'> {
  columns(fields: number, header: string[] | null): [string, string][] | string
  reason: string
  select(ctx: SqlContext): string
}

export function simpleFormat(f: SimpleFormat): FormatSpec {
  const { columns, reason, select, ...rest } = f
  return {
    ...rest,
    prepare: (n, header) => {
      const cols = columns(n, header)
      return typeof cols === 'string' ? cols : { columns: cols, reason, select }
    },
  }
}
