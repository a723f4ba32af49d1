import type { DataFile, Exchange, SnapshotFiles } from '@k2/core'
import { isExchange, parseTimeframe, type Timeframe } from '@k2/core'
import type { LakeDuckDB } from '../lake-duckdb.js'
import { sqlString } from '../write/sql-literal.js'
import type { ChannelCodec } from './channel-codec.js'
import type { ReplayPlan } from './replay-options.js'
import type { ReadUnit } from './unit-reader.js'

/**
 * The read units of one table at its pinned snapshot: every (file, exchange, symbol) the replay
 * needs, skipping files whose partition or column bounds rule them out, each with the earliest
 * event time it can yield. A file's (exchange, symbol) pairs come from its bounds when they name one
 * pair, else from the file itself (one small DISTINCT over two dictionary columns).
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
    for (const [exchange, symbol] of await pairsOf(duckdb, file, plan)) {
      units.push({
        codec,
        path: file.path,
        snapshotId: snap.snapshotId,
        ctx: { exchange, symbol, ...(tf ? { timeframe: tf.timeframe, tfMicros: tf.micros } : {}) },
        lowerTs: Math.max(lo, plan.from),
      })
    }
  }
  return units
}

const inBounds = (v: string, file: DataFile, col: string) => {
  const lo = file.lowerBounds[col]
  const hi = file.upperBounds[col]
  return (typeof lo !== 'string' || v >= lo) && (typeof hi !== 'string' || v <= hi)
}

async function pairsOf(duckdb: LakeDuckDB, file: DataFile, plan: ReplayPlan): Promise<[Exchange, string][]> {
  const partEx = file.partition.exchange
  const exLo = file.lowerBounds.exchange
  const exHi = file.upperBounds.exchange
  const oneExchange = typeof partEx === 'string' ? partEx : exLo !== undefined && exLo === exHi ? String(exLo) : null
  if (oneExchange !== null && plan.exchanges && !plan.exchanges.has(oneExchange as Exchange)) return []
  const symLo = file.lowerBounds.symbol
  const oneSymbol = symLo !== undefined && symLo === file.upperBounds.symbol ? String(symLo) : null
  if (oneSymbol !== null && plan.symbols && !plan.symbols.has(oneSymbol)) return []
  const exchanges = oneExchange !== null ? [oneExchange] : plan.exchanges ? [...plan.exchanges] : null
  const symbols = oneSymbol !== null ? [oneSymbol] : plan.symbols ? [...plan.symbols].filter((s) => inBounds(s, file, 'symbol')) : null
  let pairs: [string, string][]
  if (exchanges && symbols) pairs = exchanges.flatMap((e) => symbols.map((s) => [e, s] as [string, string]))
  else {
    const rows = await duckdb.with(async (conn) =>
      (await conn.runAndReadAll(`SELECT DISTINCT exchange, symbol FROM read_parquet(${sqlString(file.path)})`)).getRows(),
    )
    pairs = rows
      .map((r) => [String(r[0]), String(r[1])] as [string, string])
      .filter(([e, s]) => (!exchanges || exchanges.includes(e)) && (!symbols || symbols.includes(s)))
  }
  return pairs.filter((p): p is [Exchange, string] => isExchange(p[0])).sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1))
}
