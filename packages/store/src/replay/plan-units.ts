import type { DataFile, SnapshotFiles } from '@k2/core'
import { parseTimeframe, type Timeframe } from '@k2/core'
import type { LakeDuckDB } from '../lake-duckdb.js'
import { sqlString } from '../write/sql-literal.js'
import type { ChannelCodec } from './channel-codec.js'
import type { ReplayPlan } from './replay-options.js'
import type { ReadUnit } from './unit-reader.js'

/**
 * The read units of one table at its pinned snapshot: each data file the replay needs, skipping
 * files whose partition or column bounds rule them out, with the earliest event time it can yield
 * and the symbols it holds (from its bounds when they name one, else one small DISTINCT over a
 * dictionary column), so rows carry a symbol index rather than a string.
 */
export async function planUnits(duckdb: LakeDuckDB, codec: ChannelCodec, snap: SnapshotFiles, plan: ReplayPlan): Promise<ReadUnit[]> {
  const candles = codec.table === 'gold.ohlcv'
  const units: ReadUnit[] = []
  for (const file of snap.files) {
    let tf: { timeframe: Timeframe; micros: number } | undefined
    if (candles) {
      const t = file.partition.timeframe
      if (typeof t !== 'string') continue
      tf = parseTimeframe(t)
      if (plan.candleTimeframes && plan.candleTimeframes.size > 0 && !plan.candleTimeframes.has(tf.timeframe)) continue
    }
    const timeCol = candles ? 'start' : 'ts'
    const shift = tf?.micros ?? 0
    const lo = Number(file.lowerBounds[timeCol] ?? Number.NEGATIVE_INFINITY) + shift
    const hi = Number(file.upperBounds[timeCol] ?? Number.POSITIVE_INFINITY) + shift
    if (hi < plan.from || lo >= plan.to) continue
    const partEx = file.partition.exchange
    if (typeof partEx === 'string' && plan.exchanges && !plan.exchanges.has(partEx as never)) continue
    const symbols = await symbolsOf(duckdb, file, plan)
    if (symbols.length === 0) continue
    const filtered = (plan.exchanges !== null && typeof partEx !== 'string') || plan.symbols !== null
    units.push({
      codec,
      path: file.path,
      snapshotId: snap.snapshotId,
      ctx: { symbols, ...(tf ? { timeframe: tf.timeframe, tfMicros: tf.micros } : {}) },
      lowerTs: Math.max(lo, plan.from),
      // Every row is read: the manifest's count is the count to check against.
      wholeFile: !candles && !filtered && lo >= plan.from && hi < plan.to ? file.recordCount : null,
    })
  }
  return units
}

const inBounds = (v: string, file: DataFile) => {
  const lo = file.lowerBounds.symbol
  const hi = file.upperBounds.symbol
  return (typeof lo !== 'string' || v >= lo) && (typeof hi !== 'string' || v <= hi)
}

async function symbolsOf(duckdb: LakeDuckDB, file: DataFile, plan: ReplayPlan): Promise<string[]> {
  const lo = file.lowerBounds.symbol
  if (typeof lo === 'string' && lo === file.upperBounds.symbol) return !plan.symbols || plan.symbols.has(lo) ? [lo] : []
  if (plan.symbols) return [...plan.symbols].filter((s) => inBounds(s, file)).sort()
  const rows = await duckdb.with(async (conn) =>
    (await conn.runAndReadAll(`SELECT DISTINCT symbol FROM read_parquet(${sqlString(file.path)}) ORDER BY 1`)).getRows(),
  )
  return rows.map((r) => String(r[0]))
}
