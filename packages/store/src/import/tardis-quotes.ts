import { badMicros, firstReason, positive, simpleFormat, us } from './format.js'
import { TARDIS_PREFIX } from './tardis-trades.js'

/** Tardis.dev `quotes` CSV (best bid and ask): `…,ask_amount,ask_price,bid_price,bid_amount`, into silver.quotes. */
const FIELDS = ['ask_amount', 'ask_price', 'bid_price', 'bid_amount']

export const tardisQuotes = simpleFormat({
  id: 'tardis-quotes',
  table: 'silver.quotes',
  isHeader: (l) => l.startsWith(TARDIS_PREFIX),
  columns: (n, header) => {
    const rest = header?.slice(4) ?? []
    if (n !== 8 || rest.length !== 4 || !FIELDS.every((f) => rest.includes(f)))
      return `expected the header ${TARDIS_PREFIX}${FIELDS.join(',')} (in any order)`
    return [
      ['exchange', 'VARCHAR'],
      ['symbol', 'VARCHAR'],
      ['timestamp', 'BIGINT'],
      ['local_timestamp', 'BIGINT'],
      ...rest.map((f) => [f, 'DOUBLE'] as [string, string]),
    ]
  },
  instrumentColumns: { venue: 'exchange', symbol: 'symbol' },
  reason: firstReason([
    [`${positive('bid_price')} OR ${positive('ask_price')}`, 'a price is not a positive number'],
    [`${positive('bid_amount')} OR ${positive('ask_amount')}`, 'an amount is not a positive number'],
    [`${badMicros('timestamp')} OR ${badMicros('local_timestamp')}`, 'a timestamp is not epoch µs between 2009 and 2100'],
  ]),
  select: (ctx) =>
    `SELECT ${ctx.venue} AS exchange, ${ctx.symbol} AS symbol, bid_price, bid_amount AS bid_qty, ask_price, ask_amount AS ask_qty,
       ${us('timestamp')} AS ts, ${us('local_timestamp')} AS recv_ts FROM raw`,
})
