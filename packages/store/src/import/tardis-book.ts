import { badMicros, type FormatSpec, firstReason, simpleFormat, us } from './format.js'
import { TARDIS_PREFIX } from './tardis-trades.js'

/**
 * Tardis.dev order-book CSVs into silver.book.
 * - `incremental_book_L2`: `…,is_snapshot,side,price,amount`, one level a line; `is_snapshot` lines
 *   are a full book (kind `snapshot`), the others updates (kind `delta`, amount 0 removes the level).
 * - `book_snapshot_N`: `…,asks[0].price,asks[0].amount,bids[0].price,bids[0].amount,…`, the top N
 *   levels a line; each line becomes one snapshot of up to 2N levels (empty levels are skipped),
 *   marked `snapshot_interval = 'tick'` (a top-N view after every change, not the exchange's book:
 *   `lake.book()` never rebuilds from one).
 */
const INSTRUMENT: [string, string][] = [
  ['exchange', 'VARCHAR'],
  ['symbol', 'VARCHAR'],
  ['timestamp', 'BIGINT'],
  ['local_timestamp', 'BIGINT'],
]
const times = `${badMicros('timestamp')} OR ${badMicros('local_timestamp')}`

export const tardisBook = simpleFormat({
  id: 'tardis-book',
  table: 'silver.book',
  isHeader: (l) => l.startsWith(TARDIS_PREFIX),
  columns: (n, header) =>
    n === 8 && header?.join(',') === `${TARDIS_PREFIX}is_snapshot,side,price,amount`
      ? [...INSTRUMENT, ['is_snapshot', 'BOOLEAN'], ['side', 'VARCHAR'], ['price', 'DOUBLE'], ['amount', 'DOUBLE']]
      : `expected the header ${TARDIS_PREFIX}is_snapshot,side,price,amount`,
  instrumentColumns: { venue: 'exchange', symbol: 'symbol' },
  reason: firstReason([
    ['is_snapshot IS NULL', 'is_snapshot is empty'],
    ["side IS NULL OR lower(side) NOT IN ('bid', 'ask')", 'the side is not bid or ask'],
    ['NOT coalesce(price > 0 AND isfinite(price), false)', 'the price is not a positive number'],
    ['NOT coalesce(amount >= 0 AND isfinite(amount), false)', 'the amount is not a number ≥ 0'],
    [times, 'a timestamp is not epoch µs between 2009 and 2100'],
  ]),
  select: (ctx) =>
    `SELECT ${ctx.venue} AS exchange, ${ctx.symbol} AS symbol, CASE WHEN is_snapshot THEN 'snapshot' ELSE 'delta' END AS kind,
       NULL::BIGINT AS sequence, NULL::BIGINT AS first_sequence, NULL::BIGINT AS checksum, NULL::VARCHAR AS snapshot_interval, lower(side) AS side, price, amount AS qty,
       ${us('timestamp')} AS ts, ${us('local_timestamp')} AS recv_ts FROM raw`,
})

/** `asks[3].price` → `ask_price_3`. */
function levelColumn(name: string): string | null {
  const m = /^(asks|bids)\[(\d+)\]\.(price|amount)$/.exec(name)
  return m ? `${m[1] === 'asks' ? 'ask' : 'bid'}_${m[3] === 'price' ? 'price' : 'qty'}_${m[2]}` : null
}

export const tardisBookSnapshot: FormatSpec = {
  id: 'tardis-book-snapshot',
  table: 'silver.book',
  isHeader: (l) => l.startsWith(TARDIS_PREFIX),
  instrumentColumns: { venue: 'exchange', symbol: 'symbol' },
  prepare: (n, header) => {
    const names = header?.slice(4).map(levelColumn) ?? []
    if (!header || n !== header.length || n < 8 || (n - 4) % 4 !== 0 || names.some((x) => x === null))
      return `expected the header ${TARDIS_PREFIX}asks[0].price,asks[0].amount,bids[0].price,bids[0].amount,…`
    const levels = (n - 4) / 4
    const checks: [string, string][] = [[times, 'a timestamp is not epoch µs between 2009 and 2100']]
    const levelList: string[] = []
    for (let i = 0; i < levels; i++) {
      for (const s of ['bid', 'ask']) {
        const p = `${s}_price_${i}`
        const q = `${s}_qty_${i}`
        checks.push([
          `(${p} IS NULL) <> (${q} IS NULL) OR NOT coalesce(${p} > 0 AND ${q} > 0 AND isfinite(${p}) AND isfinite(${q}), ${p} IS NULL)`,
          `${s}s[${i}] is not a positive price and amount`,
        ])
        levelList.push(`{'side': '${s}', 'price': ${p}, 'qty': ${q}}`)
      }
    }
    return {
      columns: [...INSTRUMENT, ...names.map((x) => [x as string, 'DOUBLE'] as [string, string])],
      reason: firstReason(checks),
      select: (ctx) =>
        `SELECT exchange, symbol, 'snapshot' AS kind, NULL::BIGINT AS sequence, NULL::BIGINT AS first_sequence, NULL::BIGINT AS checksum, 'tick' AS snapshot_interval,
           l.side AS side, l.price AS price, l.qty AS qty, ts, recv_ts
         FROM (SELECT ${ctx.venue} AS exchange, ${ctx.symbol} AS symbol, ${us('timestamp')} AS ts, ${us('local_timestamp')} AS recv_ts,
               unnest([${levelList.join(', ')}]) AS l FROM raw) WHERE l.price IS NOT NULL`,
    }
  },
}
