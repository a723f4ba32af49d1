import { badMicros, firstReason, msOrUs, msOrUsMicros, positive, simpleFormat } from './format.js'

/**
 * Binance public-data trades (`BTCUSDT-trades-2024-01-01.zip`): `id,price,qty,quote_qty,time,
 * is_buyer_maker[,is_best_match]`. Spot files have no header and 7 fields, USD-M futures files a
 * header and 6. `is_buyer_maker` true means the seller was the taker.
 */
const COLS: [string, string][] = [
  ['id', 'BIGINT'],
  ['price', 'DOUBLE'],
  ['qty', 'DOUBLE'],
  ['quote_qty', 'DOUBLE'],
  ['time', 'BIGINT'],
  ['is_buyer_maker', 'BOOLEAN'],
]

export const binanceTrades = simpleFormat({
  id: 'binance-trades',
  table: 'silver.trades',
  isHeader: (l) => l.startsWith('id,'),
  columns: (n) =>
    n === 6
      ? COLS
      : n === 7
        ? [...COLS, ['is_best_match', 'BOOLEAN']]
        : `expected 6 or 7 fields (id,price,qty,quote_qty,time,is_buyer_maker[,is_best_match]), found ${n}`,
  reason: firstReason([
    ['id IS NULL OR id < 0', 'the trade id is empty or negative'],
    [positive('price'), 'the price is not a positive number'],
    [positive('qty'), 'the quantity is not a positive number'],
    ['is_buyer_maker IS NULL', 'is_buyer_maker is empty'],
    [badMicros(msOrUsMicros('time')), 'the time is not epoch ms or µs between 2009 and 2100'],
  ]),
  select: (ctx) =>
    `SELECT ${ctx.venue} AS exchange, ${ctx.symbol} AS symbol, id::VARCHAR AS id, price, qty,
       CASE WHEN is_buyer_maker THEN 'sell' ELSE 'buy' END AS side, ${msOrUs('time')} AS ts, ${msOrUs('time')} AS recv_ts${ctx.extra ?? ''} FROM ${ctx.from ?? 'raw'}`,
})
