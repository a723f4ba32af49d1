import { type FileCatalog, K2Error, showValue, type TableName } from '@k2/core'
import { createQueryLayer, type QueryLayer } from '@k2/query'
import { createDuckDBEngine } from '@k2/query/duckdb'
import { Lake, LakeTable } from '@k2/store'
import { type CandleInput, looksLikeCandle, toCandleRow } from './candle-row.js'
import { type CheckOptions, type ResolvedOptions, resolveOptions } from './options.js'
import { CheckReport, type CheckResult } from './report.js'
import { inNameOrder, runCandleChecks, runCoverageCheck, runTradeChecks } from './run-checks.js'
import { lakeCandles, lakeCoverage, lakeTrades } from './sources/lake-source.js'
import { memoryCandles, memoryTrades } from './sources/memory-source.js'
import { looksLikeTrade, type TradeInput, toTradeRow } from './trade-row.js'

/** What `check()` accepts. */
export type CheckTarget =
  | Lake
  | LakeTable
  | Iterable<CandleInput>
  | Iterable<TradeInput>
  | AsyncIterable<CandleInput>
  | AsyncIterable<TradeInput>

/**
 * Runs the invariant checks on a lake (gold.ohlcv candles, silver.trades trades, bronze.coverage),
 * one lake table (gold.ohlcv or silver.trades), or candles or trades you hold (core objects or rows
 * as a lake query returns them). Never throws for bad data — that is what the report is for — only
 * for a bad target or bad options (`K2Error('VALIDATION')`).
 *
 * ```ts
 * const report = await check(lake, { now: Date.now() * 1000, priceJump: { deviations: 8 } })
 * report.ok                 // false
 * report.summary()          // 'check: 13 passed, 2 failed (candle.ohlc-order: 3 candles, trade.id-gap: 1 range)'
 * report.failures[0].examples // the first offending rows
 * ```
 */
export async function check(target: CheckTarget, opts: CheckOptions = {}): Promise<CheckReport> {
  const resolved = resolveOptions(opts)
  if (target instanceof Lake) return checkLake(target, resolved)
  if (target instanceof LakeTable) return checkTable(target, resolved)
  if (target !== null && typeof target === 'object' && (Symbol.iterator in target || Symbol.asyncIterator in target)) {
    return checkRows(target as AsyncIterable<unknown> | Iterable<unknown>, resolved)
  }
  throw new K2Error(
    'VALIDATION',
    `check() takes a Lake, a LakeTable (gold.ohlcv or silver.trades), or an array of candles or trades; got ${showValue(target)}`,
  )
}

async function checkRows(rows: AsyncIterable<unknown> | Iterable<unknown>, opts: ResolvedOptions): Promise<CheckReport> {
  const all: unknown[] = []
  for await (const r of rows) all.push(r)
  if (all.length === 0) return new CheckReport([])
  if (looksLikeCandle(all[0])) {
    const candles = all.map((c, i) => toCandleRow(c, `candle ${i}`))
    return new CheckReport(inNameOrder(await runCandleChecks(memoryCandles(candles, 'candles'), opts)))
  }
  if (looksLikeTrade(all[0])) {
    const trades = all.map((t, i) => toTradeRow(t, `trade ${i}`))
    return new CheckReport(inNameOrder(await runTradeChecks(memoryTrades(trades, 'trades'), opts)))
  }
  throw new K2Error(
    'VALIDATION',
    `check() could not tell what row 0 is (${showValue(all[0])}): pass candles (open, high, …) or trades (id, price, ts)`,
  )
}

/** The current snapshot of a table, without creating the table when it does not exist. */
async function snapshotOf(lake: Lake, table: TableName): Promise<bigint | null> {
  if (!(await lake.hasTable(table))) return null
  return (await lake.table(table)).currentSnapshotId()
}

async function checkLake(lake: Lake, opts: ResolvedOptions): Promise<CheckReport> {
  const gold = await snapshotOf(lake, 'gold.ohlcv')
  const silver = await snapshotOf(lake, 'silver.trades')
  const results: CheckResult[] = [
    ...(await runCandleChecks(lakeCandles(lake.queries, gold), opts)),
    ...(await runTradeChecks(lakeTrades(lake.queries, silver), opts)),
    ...(await runCoverageCheck(lakeCoverage(lake, lake.queries, silver), opts)),
  ]
  return new CheckReport(inNameOrder(results), { 'gold.ohlcv': gold?.toString() ?? null, 'silver.trades': silver?.toString() ?? null })
}

async function checkTable(table: LakeTable, opts: ResolvedOptions): Promise<CheckReport> {
  if (table.name !== 'gold.ohlcv' && table.name !== 'silver.trades') {
    throw new K2Error(
      'VALIDATION',
      `check() on a table checks gold.ohlcv or silver.trades, not ${table.name}; for coverage pass the Lake (coverage days come from silver.trades)`,
    )
  }
  const snapshot = await table.currentSnapshotId()
  // A query layer over this one table, closed when the checks are done.
  const catalog: FileCatalog = { files: (_name, asOf) => table.files(asOf) }
  const layer: QueryLayer = createQueryLayer(catalog, { engine: createDuckDBEngine() })
  try {
    const results =
      table.name === 'gold.ohlcv'
        ? await runCandleChecks(lakeCandles(layer, snapshot), opts)
        : await runTradeChecks(lakeTrades(layer, snapshot), opts)
    return new CheckReport(inNameOrder(results), { [table.name]: snapshot?.toString() ?? null })
  } finally {
    await layer.close()
  }
}
