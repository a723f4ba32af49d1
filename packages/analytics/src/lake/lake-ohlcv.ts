import { bucketStart, type Candle, K2Error, parseTimeframe, type Timeframe, type TimeInput, toMicros } from '@k2/core'
import type { Lake } from '@k2/store'
import { loadCoverage } from './coverage-index.js'
import { type GoldRow, toCandle } from './gold-row.js'
import { tradeCandles } from './trade-candles-sql.js'

export interface LakeOhlcvOptions {
  /** `1m`, `5m`, `1h`, `1d`, or any `Ns`, `Nm`, `Nh`, `Nd`. */
  timeframe: Timeframe
  exchange?: string
  symbol?: string
  /** Candles whose bucket overlaps [from, to): each computed from all of its trades, never a partial bucket. */
  from?: TimeInput
  to?: TimeInput
  /** Shift of the bucket grid in µs (e.g. 8 h: `1d` buckets start at 08:00 UTC). Default 0. */
  offset?: number
  /** The silver.trades snapshot to read (a bigint id); default the current one. */
  snapshot?: bigint
}

const END_OF_TIME = Number.MAX_SAFE_INTEGER

/**
 * OHLCV candles computed in SQL from silver.trades, through the lake's query layer (every value a
 * bound parameter), exactly as docs/candles.md defines them: the same candles, to the last bit, as
 * the streaming aggregator and as higher timeframes derived from lower ones. Empty buckets are
 * skipped; `complete` comes from bronze.coverage (see docs/rollup.md); `source` is `trades`.
 *
 * ```ts
 * const candles = await lakeOhlcv(lake, { timeframe: '1m', exchange: 'binance', symbol: 'BTC-USDT', from: '2024-03-01', to: '2024-03-02' })
 * ```
 *
 * A price or quantity outside the exact DECIMAL domain (more than 12 decimal places, 10^14 or more;
 * sums past it) is `K2Error('VALIDATION')`, never a silently rounded candle.
 */
export async function lakeOhlcv(lake: Lake, opts: LakeOhlcvOptions): Promise<Candle[]> {
  return (await lakeGoldRows(lake, opts)).map(toCandle)
}

/** {@link lakeOhlcv} as gold.ohlcv rows, with the exact decimal sums. */
export async function lakeGoldRows(lake: Lake, opts: LakeOhlcvOptions): Promise<GoldRow[]> {
  const o = (opts ?? {}) as Partial<LakeOhlcvOptions>
  const tf = parseTimeframe(o.timeframe)
  const offset = o.offset ?? 0
  if (!Number.isSafeInteger(offset)) {
    throw new K2Error('VALIDATION', `offset must be a whole number of µs (e.g. 8 * 3_600_000_000 for 08:00), got ${String(offset)}`)
  }
  for (const [name, v] of [
    ['exchange', o.exchange],
    ['symbol', o.symbol],
  ] as const) {
    if (v !== undefined && typeof v !== 'string') throw new K2Error('VALIDATION', `${name} must be a string such as "binance" / "BTC-USDT"`)
  }
  const from = o.from === undefined ? 0 : toMicros(o.from)
  const to = o.to === undefined ? END_OF_TIME : toMicros(o.to)
  if (to <= from) return []
  const lo = o.from === undefined ? 0 : bucketStart(from, tf, offset)
  const hi = o.to === undefined ? END_OF_TIME : Math.min(END_OF_TIME, bucketStart(to - 1, tf, offset) + tf.micros)
  const trades = o.snapshot ?? (await (await lake.table('silver.trades')).currentSnapshotId())
  const coverageSnap = await (await lake.table('bronze.coverage')).currentSnapshotId()
  const rows = await tradeCandles(lake, {
    timeframe: tf,
    offset,
    lo,
    hi,
    exchange: o.exchange ?? null,
    symbol: o.symbol ?? null,
    keys: null,
    snapshot: trades,
  })
  const coverage = await loadCoverage(lake, { exchange: o.exchange ?? null, coverage: coverageSnap, trades })
  for (const r of rows) r.complete = coverage.complete(r.exchange, r.symbol, r.start, r.start + tf.micros)
  return rows
}
