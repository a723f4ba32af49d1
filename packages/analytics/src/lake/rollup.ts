import {
  bucketStart,
  type Clock,
  K2Error,
  MICROS_PER_DAY,
  type ParsedTimeframe,
  parseDuration,
  parseTimeframe,
  systemClock,
  type Timeframe,
} from '@k2/core'
import type { Lake, LakeTable } from '@k2/store'
import { BucketSet, candlesOfBuckets, goldRowsWithin } from './bucket-reads.js'
import { type CoverageIndex, loadCoverage } from './coverage-index.js'
import { deriveCandles } from './derive-candles.js'
import { GOLD_KEY, type GoldRow, keyOf } from './gold-row.js'
import { lastRollup, type RollupState, stateSummary } from './rollup-state.js'
import { tradeCandles } from './trade-candles-sql.js'

export interface RollupOptions {
  /** Timeframes kept in gold.ohlcv, e.g. `['1m', '5m', '30m', '1h', '1d']`. */
  timeframes: readonly Timeframe[]
  /**
   * How long gold keeps each timeframe (a duration such as `'90d'`, or null to keep it forever).
   * Defaults: 1m 90 days, 5m 180 days, 30m and 1h 2 years, 1d 5 years; other timeframes forever.
   */
  retention?: Partial<Record<Timeframe, string | number | null>>
  /** Recompute every candle from the trades, whatever the last roll-up processed. */
  full?: boolean
  /** "Now" for retention (epoch µs); pass the lake's clock when `openLake` was given one. */
  clock?: Clock
  /**
   * Called as the work advances: after each timeframe's candles, the commit and retention
   * (`total` = timeframes + 2); not called when nothing changed. For progress bars.
   */
  onProgress?: (p: { done: number; total: number; step: string }) => void
}

export interface RollupResult {
  /** `full` (every bucket), `incremental` (buckets touched since the last roll-up) or `unchanged`. */
  mode: 'full' | 'incremental' | 'unchanged'
  /** The gold.ohlcv snapshot this roll-up committed, or null when there was nothing to write. */
  snapshotId: bigint | null
  /** The silver.trades and bronze.coverage snapshots the candles are computed from. */
  silverSnapshotId: bigint | null
  coverageSnapshotId: bigint | null
  /** Candles recomputed, per timeframe (incl. those whose `complete` alone changed). */
  buckets: Record<string, number>
  rowsRead: {
    /** Rows of the silver.trades files added since the last roll-up. */
    silverChanged: number
    /** Trades aggregated into recomputed candles. */
    trades: number
    /** Gold candles read to derive higher timeframes or re-check `complete`. */
    gold: number
    coverage: number
  }
  /** What retention deleted from gold afterwards. */
  retention: { deletedRows: number; snapshotId: bigint | null }
}

export const DEFAULT_GOLD_RETENTION: Readonly<Record<string, string>> = {
  '1m': '90d',
  '5m': '180d',
  '30m': '730d',
  '1h': '730d',
  '1d': '1825d',
}

const END_OF_TIME = Number.MAX_SAFE_INTEGER

/**
 * Keeps gold.ohlcv current, incrementally: reads only the silver.trades files added since the
 * silver snapshot the last roll-up processed (kept in gold's snapshot summary), recomputes exactly
 * the buckets they touch — the narrowest timeframe from trades, each higher one from the stored
 * lower candles inside it (a 1d candle after a one-hour append reads 24 hourly rows) — and
 * commits them to gold as ONE overwrite of exactly those candles. Rerunning it is a no-op; a late
 * backfill rewrites exactly the candles it changes; the first roll-up of a lake is a full one.
 * See docs/rollup.md.
 *
 * ```ts
 * const r = await rollup(lake, { timeframes: ['1m', '5m', '30m', '1h', '1d'] })
 * r.mode // 'full' the first time, then 'incremental' or 'unchanged'
 * ```
 */
export async function rollup(lake: Lake, opts: RollupOptions): Promise<RollupResult> {
  const tfs = checkTimeframes((opts as Partial<RollupOptions> | undefined)?.timeframes)
  const cutoffs = retentionCutoffs(tfs, opts.retention, (opts.clock ?? systemClock)())
  const gold = await lake.table('gold.ohlcv')
  const silver = await lake.table('silver.trades')
  const coverageTable = await lake.table('bronze.coverage')
  const now: RollupState = {
    silver: await silver.currentSnapshotId(),
    coverage: await coverageTable.currentSnapshotId(),
    timeframes: tfs.map((t) => t.timeframe).join(','),
  }
  const last = opts.full ? null : await lastRollup(gold)
  const result: RollupResult = {
    mode: 'unchanged',
    snapshotId: null,
    silverSnapshotId: now.silver,
    coverageSnapshotId: now.coverage,
    buckets: Object.fromEntries(tfs.map((t) => [t.timeframe, 0])),
    rowsRead: { silverChanged: 0, trades: 0, gold: 0, coverage: 0 },
    retention: { deletedRows: 0, snapshotId: null },
  }
  if (!(last && last.timeframes === now.timeframes && last.silver === now.silver && last.coverage === now.coverage)) {
    const coverage = await loadCoverage(lake, { coverage: now.coverage, trades: now.silver })
    result.rowsRead.coverage = coverage.rows
    const incremental =
      last && last.timeframes === now.timeframes ? await changedBuckets(silver, last, now, tfs[0] as ParsedTimeframe) : null
    result.mode = incremental ? 'incremental' : 'full'
    if (incremental) result.rowsRead.silverChanged = incremental.rows
    const rows = await recompute(lake, tfs, incremental?.buckets ?? null, now.silver, cutoffs, result, opts.onProgress)
    for (const r of rows) r.complete = coverage.complete(r.exchange, r.symbol, r.start, r.start + parseTimeframe(r.timeframe).micros)
    if (incremental && last?.coverage !== now.coverage) {
      rows.push(...(await completenessChanges(lake, coverageTable, last?.coverage ?? null, tfs, coverage, rows, result)))
    }
    const kept = rows.filter((r) => r.start >= (cutoffs.get(r.timeframe) ?? Number.NEGATIVE_INFINITY))
    for (const r of kept) result.buckets[r.timeframe] = (result.buckets[r.timeframe] ?? 0) + 1
    // One commit for every timeframe; a failure leaves gold at its last commit and the state with it.
    const commit = await gold.replaceRows(kept, { key: GOLD_KEY, summary: stateSummary(now) })
    result.snapshotId = commit.snapshotId
    opts.onProgress?.({ done: tfs.length + 1, total: tfs.length + 2, step: 'commit' })
  }
  const policies = tfs.flatMap((t) => {
    const age = retentionAge(t.timeframe, opts.retention)
    return age === null ? [] : [{ timeframe: t.timeframe, maxAge: age }]
  })
  if (policies.length > 0) result.retention = await gold.applyRetention(policies)
  if (result.mode !== 'unchanged') opts.onProgress?.({ done: tfs.length + 2, total: tfs.length + 2, step: 'retention' })
  return result
}

function checkTimeframes(input: unknown): ParsedTimeframe[] {
  if (!Array.isArray(input) || input.length === 0) {
    throw new K2Error('VALIDATION', "rollup needs { timeframes: [...] }, e.g. { timeframes: ['1m', '5m', '30m', '1h', '1d'] }")
  }
  const parsed = [...new Map(input.map((t) => [t, parseTimeframe(t)])).values()]
  return parsed.sort((a, b) => a.micros - b.micros)
}

function retentionAge(tf: string, given: RollupOptions['retention']): string | number | null {
  const own = given && Object.hasOwn(given, tf) ? given[tf as Timeframe] : undefined
  return own === undefined ? (DEFAULT_GOLD_RETENTION[tf] ?? null) : own
}

/** Per timeframe, the oldest bucket start gold keeps (absent: forever). */
function retentionCutoffs(tfs: ParsedTimeframe[], given: RollupOptions['retention'], nowUs: number): Map<string, number> {
  const out = new Map<string, number>()
  for (const t of tfs) {
    const age = retentionAge(t.timeframe, given)
    if (age !== null) out.set(t.timeframe, nowUs - parseDuration(age))
  }
  return out
}

/** The narrowest timeframe's buckets touched by silver files added since `last`, or null when a full roll-up is needed. */
async function changedBuckets(
  silver: LakeTable<'silver.trades'>,
  last: RollupState,
  now: RollupState,
  base: ParsedTimeframe,
): Promise<{ buckets: BucketSet; rows: number } | null> {
  const buckets = new BucketSet()
  if (last.silver === null || now.silver === null) return last.silver === now.silver ? { buckets, rows: 0 } : null
  if (last.silver === now.silver) return { buckets, rows: 0 }
  let changes: Awaited<ReturnType<typeof silver.changes>>
  try {
    changes = await silver.changes(last.silver, now.silver)
  } catch (err) {
    if (K2Error.isInstance(err) && err.code === 'NOT_FOUND') return null // the snapshot expired: start over
    throw err
  }
  for (const t of changes.rows) buckets.add(t.exchange, t.symbol, bucketStart(t.ts, base))
  return { buckets, rows: changes.rows.length }
}

/**
 * Candles of every timeframe for the touched buckets (all buckets when `touched` is null): the
 * narrowest from trades, each wider one derived from the widest narrower timeframe that divides it
 * (from trades when none does, or when that timeframe's rows are past its retention).
 */
async function recompute(
  lake: Lake,
  tfs: ParsedTimeframe[],
  touched: BucketSet | null,
  snapshot: bigint | null,
  cutoffs: Map<string, number>,
  result: RollupResult,
  onProgress: RollupOptions['onProgress'],
): Promise<GoldRow[]> {
  const done = new Map<string, GoldRow[]>()
  for (const tf of tfs) {
    const lower = [...done.keys()]
      .map(parseTimeframe)
      .filter((l) => tf.micros % l.micros === 0)
      .at(-1)
    const buckets = touched === null ? null : widen(touched, tf)
    let rows: GoldRow[]
    if (lower === undefined) {
      rows = await fromTrades(lake, tf, buckets, snapshot, result)
    } else if (buckets === null) {
      rows = deriveCandles(done.get(lower.timeframe) ?? [], tf)
    } else {
      // Buckets whose lower rows gold no longer keeps are computed from the trades instead.
      const cut = cutoffs.get(lower.timeframe) ?? Number.NEGATIVE_INFINITY
      const derivable = new BucketSet()
      const direct = new BucketSet()
      for (const b of buckets.list()) (b.start >= cut ? derivable : direct).add(b.exchange, b.symbol, b.start)
      const fresh = done.get(lower.timeframe) ?? []
      const stored = derivable.size > 0 ? await goldRowsWithin(lake, lower, tf, derivable) : []
      result.rowsRead.gold += stored.length
      const byKey = new Map(stored.map((r) => [keyOf(r), r]))
      for (const r of fresh) byKey.set(keyOf(r), r)
      const inside = [...byKey.values()].filter((r) => derivable.has(r.exchange, r.symbol, bucketStart(r.start, tf)))
      rows = [...deriveCandles(inside, tf), ...(direct.size > 0 ? await fromTrades(lake, tf, direct, snapshot, result) : [])]
    }
    done.set(tf.timeframe, rows)
    onProgress?.({ done: done.size, total: tfs.length + 2, step: `${tf.timeframe} candles` })
  }
  return [...done.values()].flat()
}

function widen(base: BucketSet, tf: ParsedTimeframe): BucketSet {
  const out = new BucketSet()
  for (const b of base.list()) out.add(b.exchange, b.symbol, bucketStart(b.start, tf))
  return out
}

async function fromTrades(
  lake: Lake,
  tf: ParsedTimeframe,
  buckets: BucketSet | null,
  snapshot: bigint | null,
  result: RollupResult,
): Promise<GoldRow[]> {
  const rows =
    buckets === null
      ? await tradeCandles(lake, { timeframe: tf, offset: 0, lo: 0, hi: END_OF_TIME, exchange: null, symbol: null, keys: null, snapshot })
      : buckets.size === 0
        ? []
        : await candlesOfBuckets(lake, tf, buckets, snapshot)
  for (const r of rows) result.rowsRead.trades += r.trades
  return rows
}

/**
 * Stored candles whose `complete` changes with the coverage rows added since the last roll-up
 * (from a day before the earliest of them on: a gap's span reaches back to its neighbours).
 */
async function completenessChanges(
  lake: Lake,
  coverageTable: LakeTable<'bronze.coverage'>,
  since: bigint | null,
  tfs: ParsedTimeframe[],
  coverage: CoverageIndex,
  recomputed: GoldRow[],
  result: RollupResult,
): Promise<GoldRow[]> {
  const added = since === null ? await coverageTable.scan() : (await coverageTable.changes(since)).rows
  const from = new Map<string, number>() // exchange\0symbol ('' for connection-wide) → earliest start
  for (const r of added) {
    if (r.kind !== 'subscribed' && r.kind !== 'gap') continue
    const k = `${r.exchange}\u0000${r.symbol ?? ''}`
    from.set(k, Math.min(from.get(k) ?? Number.POSITIVE_INFINITY, r.start_ts))
  }
  const widest = (tfs.at(-1) as ParsedTimeframe).micros
  const seen = new Set(recomputed.map(keyOf))
  const out: GoldRow[] = []
  for (const [k, start] of from) {
    const [exchange, symbol] = k.split('\u0000') as [string, string]
    const rows = (await lake
      .query('gold.ohlcv')
      .where({ exchange, source: 'trades', timeframe: tfs.map((t) => t.timeframe), ...(symbol ? { symbol } : {}) })
      .where('start', '>=', start - MICROS_PER_DAY - widest)
      .rows()) as GoldRow[]
    result.rowsRead.gold += rows.length
    for (const r of rows) {
      const complete = coverage.complete(r.exchange, r.symbol, r.start, r.start + parseTimeframe(r.timeframe).micros)
      if (complete === r.complete || seen.has(keyOf(r))) continue
      seen.add(keyOf(r))
      out.push({ ...r, complete })
    }
  }
  return out
}
