import { badMicros, firstReason, msOrUs, msOrUsMicros, positive, simpleFormat } from './format.js'

/**
 * Binance public-data aggregate trades (`BTCUSDT-aggTrades-2024-01-01.zip`): `agg_trade_id,price,
 * quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker[,is_best_match]`. The trade id
 * recorded is the aggregate id, as the live `aggTrades` channel records it.
 */
const COLS: [string, string][] = [
  ['agg_trade_id', 'BIGINT'],
  ['price', 'DOUBLE'],
  ['quantity', 'DOUBLE'],
  ['first_trade_id', 'BIGINT'],
  ['last_trade_id', 'BIGINT'],
  ['transact_time', 'BIGINT'],
  ['is_buyer_maker', 'BOOLEAN'],
]

export const binanceAggTrades = simpleFormat({
  id: 'binance-agg-trades',
  table: 'silver.trades',
  isHeader: (l) => l.startsWith('agg_trade_id,'),
  columns: (n) =>
    n === 7
      ? COLS
      : n === 8
        ? [...COLS, ['is_best_match', 'BOOLEAN']]
        : `expected 7 or 8 fields (agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker[,is_best_match]), found ${n}`,
  reason: firstReason([
    ['agg_trade_id IS NULL OR agg_trade_id < 0', 'the aggregate trade id is empty or negative'],
    [positive('price'), 'the price is not a positive number'],
    [positive('quantity'), 'the quantity is not a positive number'],
    ['is_buyer_maker IS NULL', 'is_buyer_maker is empty'],
    [badMicros(msOrUsMicros('transact_time')), 'the time is not epoch ms or µs between 2009 and 2100'],
  ]),
  select: (ctx) =>
    `SELECT ${ctx.venue} AS exchange, ${ctx.symbol} AS symbol, agg_trade_id::VARCHAR AS id, price, quantity AS qty,
       CASE WHEN is_buyer_maker THEN 'sell' ELSE 'buy' END AS side, ${msOrUs('transact_time')} AS ts, ${msOrUs('transact_time')} AS recv_ts${ctx.extra ?? ''} FROM ${ctx.from ?? 'raw'}`,
})
