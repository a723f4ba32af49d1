import { badMicros, firstReason, positive, simpleFormat, us } from './format.js'

/** Tardis.dev `trades` CSV: `exchange,symbol,timestamp,local_timestamp,id,side,price,amount` (µs). */
export const TARDIS_PREFIX = 'exchange,symbol,timestamp,local_timestamp,'

export const tardisTrades = simpleFormat({
  id: 'tardis-trades',
  table: 'silver.trades',
  isHeader: (l) => l.startsWith(TARDIS_PREFIX),
  columns: (n, header) =>
    n === 8 && header?.join(',') === `${TARDIS_PREFIX}id,side,price,amount`
      ? [
          ['exchange', 'VARCHAR'],
          ['symbol', 'VARCHAR'],
          ['timestamp', 'BIGINT'],
          ['local_timestamp', 'BIGINT'],
          ['id', 'VARCHAR'],
          ['side', 'VARCHAR'],
          ['price', 'DOUBLE'],
          ['amount', 'DOUBLE'],
        ]
      : `expected the header ${TARDIS_PREFIX}id,side,price,amount`,
  instrumentColumns: { venue: 'exchange', symbol: 'symbol' },
  reason: firstReason([
    ["id IS NULL OR id = ''", 'the trade id is empty'],
    [positive('price'), 'the price is not a positive number'],
    [positive('amount'), 'the amount is not a positive number'],
    [`${badMicros('timestamp')} OR ${badMicros('local_timestamp')}`, 'a timestamp is not epoch µs between 2009 and 2100'],
  ]),
  select: (ctx) =>
    `SELECT ${ctx.venue} AS exchange, ${ctx.symbol} AS symbol, id, price, amount AS qty,
       CASE lower(side) WHEN 'buy' THEN 'buy' WHEN 'sell' THEN 'sell' ELSE 'unknown' END AS side,
       ${us('timestamp')} AS ts, ${us('local_timestamp')} AS recv_ts FROM raw`,
})
