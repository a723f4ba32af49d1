/**
 * The lake's tables and their columns: one description that the store uses to create Iceberg
 * schemas and that the query builder uses to type and check column names. Columns are snake_case
 * (Trino and Spark fold identifiers to lower case); times are Iceberg `timestamptz` (µs, UTC) and
 * surface in TypeScript as epoch µs numbers.
 */
export type ColumnType = 'string' | 'long' | 'int' | 'double' | 'boolean' | 'timestamptz'

export interface ColumnSpec {
  readonly name: string
  readonly type: ColumnType
  readonly required: boolean
  readonly doc?: string
}

const col = <N extends string, T extends ColumnType, R extends boolean>(name: N, type: T, required: R, doc?: string) =>
  ({ name, type, required, ...(doc ? { doc } : {}) }) as const

export const TABLE_SCHEMAS = {
  'bronze.frames': [
    col('exchange', 'string', true),
    col('channel', 'string', true),
    col('connection_id', 'long', true),
    col('recv_ts', 'timestamptz', true, 'local receive time'),
    col('data', 'string', true, 'the frame exactly as received'),
  ],
  'bronze.dlq': [
    col('exchange', 'string', true),
    col('recv_ts', 'timestamptz', true),
    col('raw', 'string', true),
    col('error_code', 'string', true),
    col('error_message', 'string', true),
  ],
  'bronze.coverage': [
    col('exchange', 'string', true),
    col('symbol', 'string', false, 'null for connection-wide intervals'),
    col('kind', 'string', true, 'connected | subscribed | received | gap'),
    col('start_ts', 'timestamptz', true),
    col('end_ts', 'timestamptz', true),
    col('from_id', 'string', false, 'first trade id / sequence of a received range or gap'),
    col('to_id', 'string', false, 'last trade id / sequence of a received range or gap'),
    col('state', 'string', false, 'for gaps: open | healed | unhealed'),
    col('healed_by', 'string', false, 'rest | import'),
    col('detail', 'string', false),
  ],
  'silver.trades': [
    col('exchange', 'string', true),
    col('symbol', 'string', true),
    col('id', 'string', true, 'exchange trade id; (exchange, symbol, id) is unique'),
    col('price', 'double', true),
    col('qty', 'double', true),
    col('side', 'string', true, 'taker side: buy | sell | unknown'),
    col('ts', 'timestamptz', true, 'exchange time'),
    col('recv_ts', 'timestamptz', true, 'local receive time'),
  ],
  'silver.book': [
    col('exchange', 'string', true),
    col('symbol', 'string', true),
    col('kind', 'string', true, 'snapshot | delta'),
    col('sequence', 'long', false, 'the exchange sequence of the last update in this event'),
    col('first_sequence', 'long', false, 'the first update this event covers (Binance U, Coinbase sequence_num); null when one'),
    col('checksum', 'long', false),
    col(
      'snapshot_interval',
      'string',
      false,
      "on top-N snapshots: a feed's own at an interval's end, e.g. '1s'; 'tick' for Tardis book_snapshot_N (after every change); null on full books",
    ),
    col('side', 'string', true, 'bid | ask'),
    col('price', 'double', true),
    col('qty', 'double', true, '0 removes the level (deltas)'),
    col('ts', 'timestamptz', true),
    col('recv_ts', 'timestamptz', true),
  ],
  'silver.quotes': [
    col('exchange', 'string', true),
    col('symbol', 'string', true),
    col('bid_price', 'double', true),
    col('bid_qty', 'double', true),
    col('ask_price', 'double', true),
    col('ask_qty', 'double', true),
    col('ts', 'timestamptz', true, 'exchange time'),
    col('recv_ts', 'timestamptz', true, 'local receive time'),
  ],
  'gold.ohlcv': [
    col('exchange', 'string', true),
    col('symbol', 'string', true),
    col('timeframe', 'string', true),
    col('start', 'timestamptz', true, 'bucket start'),
    col('open', 'double', true),
    col('high', 'double', true),
    col('low', 'double', true),
    col('close', 'double', true),
    col('volume', 'double', true),
    col('quote_volume', 'double', true),
    col('trades', 'long', true),
    col('buy_volume', 'double', true),
    col('vwap', 'double', true),
    col('complete', 'boolean', true, 'false when the bucket overlaps a coverage gap'),
    col('volume_exact', 'string', false, 'volume as an exact decimal (the digits an exchange prints)'),
    col('quote_volume_exact', 'string', false, 'quote_volume as an exact decimal'),
    col('buy_volume_exact', 'string', false, 'buy_volume as an exact decimal'),
    col('source', 'string', true, "trades (computed by K2) | exchange (the exchange's own candles)"),
  ],
} as const satisfies Record<string, readonly ColumnSpec[]>

export type TableName = keyof typeof TABLE_SCHEMAS
export const TABLE_NAMES = Object.keys(TABLE_SCHEMAS) as TableName[]

interface TsOf {
  string: string
  long: number
  int: number
  double: number
  boolean: boolean
  timestamptz: number
}

type RowOf<Cols extends readonly ColumnSpec[]> = {
  [C in Cols[number] as C['name']]: C['required'] extends true ? TsOf[C['type']] : TsOf[C['type']] | null
}

/** Row types of every lake table, by name: `Tables['silver.trades']['price']` is `number`. */
export type Tables = { [T in TableName]: RowOf<(typeof TABLE_SCHEMAS)[T]> }

type InputOf<Cols extends readonly ColumnSpec[]> = {
  [C in Cols[number] as C['required'] extends true ? C['name'] : never]: TsOf[C['type']]
} & { [C in Cols[number] as C['required'] extends true ? never : C['name']]?: TsOf[C['type']] | null }

/** What a writer accepts as a row of each table: `Tables[T]` with its nullable columns optional (missing is null). */
export type TableInputs = { [T in TableName]: InputOf<(typeof TABLE_SCHEMAS)[T]> }

export function isTableName(value: unknown): value is TableName {
  return typeof value === 'string' && Object.hasOwn(TABLE_SCHEMAS, value)
}
