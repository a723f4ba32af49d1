import { K2Error, type ParsedTimeframe } from '@k2/core'
import type { Lake } from '@k2/store'
import { normalizeDecimal } from './exact-decimal.js'
import { type GoldRow, vwapOf } from './gold-row.js'

/**
 * Candles from silver.trades in SQL, through the lake's query layer, exactly as docs/candles.md
 * defines them: each double stands for its shortest round-trip decimal, sums are exact DECIMALs printed as text and rounded once in JS
 * (`Number(text)` rounds correctly), and open/close follow `ORDER BY ts, strlen(id), id`. Values
 * outside the DECIMAL domain fail the query (`error()`), which becomes a VALIDATION K2Error.
 *
 * The decimal of a value: below 10^7, `CAST(x AS DECIMAL(18, 8))` is the only 8-decimal number in
 * x's rounding interval (spacing 1e-8 > ulp), so when it converts back to x it is x's shortest
 * decimal — ten times faster than printing x (`CAST(CAST(x AS VARCHAR) AS DECIMAL(38, 12))`),
 * which the other values take.
 */

export interface TradeCandleQuery {
  timeframe: ParsedTimeframe
  /** Bucket offset, µs. */
  offset: number
  /** Trades with lo ≤ ts < hi (epoch µs). */
  lo: number
  hi: number
  exchange: string | null
  symbol: string | null
  /** Only these buckets (parallel lists), or every bucket when null. */
  keys: { exchange: string[]; symbol: string[]; start: number[] } | null
  /** The silver.trades snapshot to read (default: the current one). */
  snapshot?: bigint | null
}

const DOMAIN_MARK = 'k2-candle-domain'

/** Candles (complete: true, source: trades; the caller sets `complete`) for the query, by exchange, symbol, start. */
export async function tradeCandles(lake: Lake, q: TradeCandleQuery): Promise<GoldRow[]> {
  const w = q.timeframe.micros
  const useKeys = q.keys !== null
  const keys = q.keys ?? { exchange: [], symbol: [], start: [] }
  const trades = lake.ref('silver.trades', q.snapshot === undefined || q.snapshot === null ? undefined : q.snapshot)
  const query = lake.sql`
    WITH keys AS (
      SELECT unnest(${keys.exchange}::VARCHAR[]) AS exchange, unnest(${keys.symbol}::VARCHAR[]) AS symbol,
             unnest(${keys.start}::BIGINT[]) AS start
    ), t AS (
      SELECT exchange, symbol, id, price, qty, side, epoch_us(ts) AS us
      FROM ${trades}
      WHERE ts >= make_timestamp(${q.lo}::BIGINT)::TIMESTAMPTZ AND ts < make_timestamp(${q.hi}::BIGINT)::TIMESTAMPTZ
        AND (${q.exchange}::VARCHAR IS NULL OR exchange = ${q.exchange}::VARCHAR)
        AND (${q.symbol}::VARCHAR IS NULL OR symbol = ${q.symbol}::VARCHAR)
    ), b AS (
      SELECT *, us - (((us - ${q.offset}::BIGINT) % ${w}::BIGINT) + ${w}::BIGINT) % ${w}::BIGINT AS start FROM t
    ), k AS (
      SELECT * FROM b
      WHERE NOT ${useKeys} OR EXISTS (SELECT 1 FROM keys WHERE keys.exchange = b.exchange AND keys.symbol = b.symbol AND keys.start = b.start)
    ), f AS (
      SELECT *,
        abs(price) < 1e7 AND coalesce(CAST(TRY_CAST(price AS DECIMAL(18, 8)) AS DOUBLE) = price, false) AS p_fast,
        abs(qty) < 1e7 AND coalesce(CAST(TRY_CAST(qty AS DECIMAL(18, 8)) AS DOUBLE) = qty, false) AS q_fast
      FROM k
    ), d AS (
      SELECT *,
        CASE WHEN p_fast THEN CAST(TRY_CAST(price AS DECIMAL(18, 8)) AS DECIMAL(38, 12))
             WHEN price < 1e14 AND qty < 1e14 THEN CAST(CAST(price AS VARCHAR) AS DECIMAL(38, 12)) END AS p,
        CASE WHEN q_fast THEN CAST(TRY_CAST(qty AS DECIMAL(18, 8)) AS DECIMAL(38, 12))
             WHEN price < 1e14 AND qty < 1e14 THEN CAST(CAST(qty AS VARCHAR) AS DECIMAL(38, 12)) END AS q
      FROM f
    ), e AS (
      SELECT * FROM d
      WHERE CASE WHEN p IS NULL OR q IS NULL
          OR (NOT p_fast AND CAST(CAST(p AS VARCHAR) AS DOUBLE) <> price)
          OR (NOT q_fast AND CAST(CAST(q AS VARCHAR) AS DOUBLE) <> qty)
        THEN error('k2-candle-domain: trade ' || exchange || ' ' || symbol || ' ' || id || ' has price ' || price::VARCHAR || ', qty ' || qty::VARCHAR)
        ELSE true END
    )
    SELECT exchange, symbol, start::DOUBLE AS start,
      arg_min(price, (us, strlen(id), id)) AS open, max(price) AS high, min(price) AS low,
      arg_max(price, (us, strlen(id), id)) AS close, count(*)::DOUBLE AS trades,
      sum(q)::VARCHAR AS volume, sum(p * q)::VARCHAR AS quote_volume,
      coalesce(sum(q) FILTER (WHERE side = 'buy'), 0::DECIMAL(38, 12))::VARCHAR AS buy_volume
    FROM e
    GROUP BY exchange, symbol, start
    HAVING CASE WHEN sum(q) >= 1e20 OR sum(p * q) >= 1e14
      THEN error('k2-candle-domain: the ' || exchange || ' ' || symbol || ' candle at ' || start::VARCHAR || ' µs sums past the DECIMAL domain')
      ELSE true END
    ORDER BY exchange, symbol, start`
  const out: GoldRow[] = []
  try {
    for await (const batch of query.batches()) {
      // Column by column: Arrow's row proxies cost more than the query itself on 10^5 candles.
      const cols = Object.fromEntries(batch.schema.fields.map((f, i) => [f.name, batch.getChildAt(i)?.toArray() ?? []]))
      const names = Object.keys(cols)
      for (let i = 0; i < batch.numRows; i++) {
        const r: Record<string, unknown> = {}
        for (const n of names) r[n] = (cols[n] as ArrayLike<unknown>)[i]
        out.push(goldRow(r, q.timeframe))
      }
    }
  } catch (err) {
    throw domainError(err) ?? err
  }
  return out
}

function goldRow(r: Record<string, unknown>, tf: ParsedTimeframe): GoldRow {
  const volumeExact = normalizeDecimal(String(r.volume))
  const quoteExact = normalizeDecimal(String(r.quote_volume))
  const buyExact = normalizeDecimal(String(r.buy_volume))
  const volume = Number(volumeExact)
  const quoteVolume = Number(quoteExact)
  const low = Number(r.low)
  const high = Number(r.high)
  return {
    exchange: String(r.exchange),
    symbol: String(r.symbol),
    timeframe: tf.timeframe,
    start: Number(r.start),
    open: Number(r.open),
    high,
    low,
    close: Number(r.close),
    volume,
    quote_volume: quoteVolume,
    trades: Number(r.trades),
    buy_volume: Number(buyExact),
    vwap: vwapOf(quoteVolume, volume, low, high),
    complete: true,
    volume_exact: volumeExact,
    quote_volume_exact: quoteExact,
    buy_volume_exact: buyExact,
    source: 'trades',
  }
}

/** DuckDB's failure on a value outside the exact domain, as a K2Error that says what to do. */
function domainError(err: unknown): K2Error | undefined {
  const text = err instanceof Error ? err.message : String(err)
  const ours = text.includes(DOMAIN_MARK)
  if (!ours && !/Overflow in (multiplication|addition|HUGEINT)|Could not convert .* to DECIMAL/i.test(text)) return undefined
  const what = ours ? text.slice(text.indexOf(DOMAIN_MARK) + DOMAIN_MARK.length + 2).split('\n')[0] : 'a sum overflowed DECIMAL(38, ·)'
  return new K2Error(
    'VALIDATION',
    `SQL candles are exact only for prices and quantities with at most 12 decimal places below 10^14, volumes below 10^20 and quote volumes below 10^14 per candle (docs/candles.md): ${what}. Compute these candles with the streaming ohlcv(), which is exact for any finite input, or narrow the query (exchange, symbol, from, to)`,
    { cause: err },
  )
}
