import { badMicros, firstReason, msOrUs, msOrUsMicros, positive, simpleFormat } from './format.js'

/**
 * Binance public-data klines (`BTCUSDT-1m-2024-01-01.zip`): `open_time,open,high,low,close,volume,
 * close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore`, with or without a
 * header. They become the exchange's own candles in gold.ohlcv (`source = 'exchange'`); the volumes
 * are kept as the exact decimals Binance prints as well.
 */
const COLS: [string, string][] = [
  ['open_time', 'BIGINT'],
  ['open', 'DOUBLE'],
  ['high', 'DOUBLE'],
  ['low', 'DOUBLE'],
  ['close', 'DOUBLE'],
  ['volume', 'VARCHAR'],
  ['close_time', 'BIGINT'],
  ['quote_volume', 'VARCHAR'],
  ['count', 'BIGINT'],
  ['taker_buy_volume', 'VARCHAR'],
  ['taker_buy_quote_volume', 'VARCHAR'],
  ['ignore', 'VARCHAR'],
]

/** Binance's digits as K2's exact decimal (no trailing zeros), or NULL when they are not a plain decimal. */
function exact(c: string): string {
  const trimmed = `regexp_replace(regexp_replace(regexp_replace(trim(${c}), '^(-?[0-9]+[.][0-9]*?)0+$', '\\1'), '[.]$', ''), '^(-?)0+([0-9])', '\\1\\2')`
  return `CASE WHEN regexp_full_match(${trimmed}, '-?(0|[1-9][0-9]*)([.][0-9]*[1-9])?') THEN ${trimmed} ELSE NULL END`
}
const num = (c: string) => `TRY_CAST(${c} AS DOUBLE)`
const nonNegative = (c: string) => `NOT coalesce(${num(c)} >= 0 AND isfinite(${num(c)}), false)`

export const binanceKlines = simpleFormat({
  id: 'binance-klines',
  table: 'gold.ohlcv',
  isHeader: (l) => l.startsWith('open_time,'),
  columns: (n) => (n === 12 ? COLS : `expected 12 fields (open_time,open,high,low,close,volume,close_time,…,ignore), found ${n}`),
  reason: firstReason([
    [badMicros(msOrUsMicros('open_time')), 'open_time is not epoch ms or µs between 2009 and 2100'],
    [`${positive('open')} OR ${positive('high')} OR ${positive('low')} OR ${positive('close')}`, 'a price is not a positive number'],
    ['NOT (low <= open AND low <= close AND high >= open AND high >= close)', 'high/low do not bound open and close'],
    [`${nonNegative('volume')} OR ${nonNegative('quote_volume')} OR ${nonNegative('taker_buy_volume')}`, 'a volume is not a number ≥ 0'],
    ['count IS NULL OR count < 0', 'the trade count is empty or negative'],
  ]),
  select: (ctx) =>
    `SELECT ${ctx.venue} AS exchange, ${ctx.symbol} AS symbol, ${ctx.timeframe} AS timeframe, ${msOrUs('open_time')} AS start,
       open, high, low, close, ${num('volume')} AS volume, ${num('quote_volume')} AS quote_volume, count AS trades,
       ${num('taker_buy_volume')} AS buy_volume,
       CASE WHEN ${num('volume')} > 0 THEN ${num('quote_volume')} / ${num('volume')} ELSE close END AS vwap, true AS complete,
       ${exact('volume')} AS volume_exact, ${exact('quote_volume')} AS quote_volume_exact, ${exact('taker_buy_volume')} AS buy_volume_exact,
       'exchange' AS source FROM raw`,
})

/** Binance kline intervals → K2 timeframes (weeks and months have no fixed-width K2 timeframe). */
export function klineTimeframe(interval: string): string | null {
  return /^[1-9][0-9]*[smhd]$/.test(interval) ? interval : null
}
