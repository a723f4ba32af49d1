import { badMicros, firstReason, positive, simpleFormat } from './format.js'

/**
 * Kraken's downloadable trade history ("Time and Sales", one CSV per pair such as `XBTUSD.csv`):
 * `timestamp,price,volume`, no header, seconds that may be fractional, no trade id and no side.
 *
 * The id K2 records is `<time in µs>-<n>`, n counting trades of that same time in file order from
 * 0. It depends only on the trades of one instant, never on where the file starts, so the same
 * trade gets the same id from the cumulative file and from a quarterly increment (which start at
 * different lines) and a re-import of either deduplicates. Ids of imported Kraken trades are not
 * those of Kraken's live feed (its `trade_id`), so do not import a period also recorded live.
 */
const COLS: [string, string][] = [
  ['timestamp', 'VARCHAR'],
  ['price', 'DOUBLE'],
  ['volume', 'DOUBLE'],
]
const micros = `TRY_CAST(TRY_CAST(timestamp AS DECIMAL(38,6)) * 1000000 AS BIGINT)`

export const krakenTrades = simpleFormat({
  id: 'kraken-trades',
  table: 'silver.trades',
  isHeader: (l) => /^[a-z]/i.test(l),
  columns: (n) => (n === 3 ? COLS : `expected 3 fields (timestamp,price,volume), found ${n}`),
  reason: firstReason([
    [badMicros(micros), 'the timestamp is not epoch seconds between 2009 and 2100'],
    [positive('price'), 'the price is not a positive number'],
    [positive('volume'), 'the volume is not a positive number'],
  ]),
  select: (ctx) => {
    const carry = ctx.carry ? `CASE WHEN ${micros} = ${ctx.carry.ts} THEN ${ctx.carry.count} ELSE 0 END` : '0'
    return `SELECT ${ctx.venue} AS exchange, ${ctx.symbol} AS symbol,
       ${micros}::VARCHAR || '-' || (row_number() OVER (PARTITION BY ${micros} ORDER BY rowid) - 1 + ${carry})::VARCHAR AS id,
       price, volume AS qty, 'unknown' AS side, make_timestamptz(${micros}) AS ts, make_timestamptz(${micros}) AS recv_ts FROM raw`
  },
})

/** SQL over a chunk's rows: its last time (µs) and how many trades have it, for the next chunk's ids. */
export const krakenCarrySql = `SELECT ${micros} AS t, count(*) AS n FROM raw GROUP BY t ORDER BY t DESC LIMIT 1`
