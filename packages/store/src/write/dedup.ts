import type { DuckDBConnection } from '@duckdb/node-api'
import type { DataFileRecord } from '../iceberg/manifest-schemas.js'
import type { LiveFile } from '../iceberg/manifests.js'
import { compareStrings, decodeValue } from '../iceberg/single-value.js'
import type { TableSpec } from '../iceberg/table-spec.js'
import { checkDataFiles, type FileContext, probeSql, readFailure } from './data-file-checks.js'
import { sqlString } from './sql-literal.js'
import { decodeExpr, materialize, type Staged, type StagedColumn, stagedSource } from './staged-rows.js'

/**
 * Keeps a table's unique key unique (silver.trades: exchange, symbol, id) across batches, writers
 * and reconnects: drops staged rows whose key repeats inside the batch or already exists in a live
 * file. Only files whose partition and key bounds could hold a staged key are read.
 */

export interface KeyRange {
  min: string
  max: string
}

/**
 * Key ranges known without a query: numeric ids carry exact per-partition bounds from staging,
 * dictionary columns the range of their whole dictionary (a superset, which only prunes less).
 */
function knownRanges(staged: Staged, keyCols: StagedColumn[]): Map<number, KeyRange[]> | null {
  if (!keyCols.every((c) => c.kind === 'code' || (c.kind === 'numid' && c.bounds))) return null
  const dictRange = (dict: string[]): KeyRange | null => {
    if (dict.length === 0) return null
    let min = dict[0] as string
    let max = min
    for (const s of dict) {
      if (compareStrings(s, min) < 0) min = s
      if (compareStrings(s, max) > 0) max = s
    }
    return { min, max }
  }
  const out = new Map<number, KeyRange[]>()
  staged.partitions.forEach((_, p) => {
    const ranges: KeyRange[] = []
    for (const c of keyCols) {
      const r = c.kind === 'numid' ? c.bounds?.get(p) : dictRange(c.dict)
      if (!r) return // no rows in this partition
      ranges.push({ min: r.min, max: r.max })
    }
    out.set(p, ranges)
  })
  return out
}

async function stagedRanges(conn: DuckDBConnection, staged: Staged, keyCols: StagedColumn[]): Promise<Map<number, KeyRange[]>> {
  const exprs = keyCols.map((c) => `min(${decodeExpr(c)})::VARCHAR, max(${decodeExpr(c)})::VARCHAR`).join(', ')
  const reader = await conn.runAndReadAll(`SELECT __p, ${exprs} FROM ${stagedSource(staged, null)} GROUP BY __p`)
  const out = new Map<number, KeyRange[]>()
  for (const row of reader.getRows()) {
    const ranges: KeyRange[] = []
    for (let i = 0; i < keyCols.length; i++) ranges.push({ min: String(row[1 + 2 * i]), max: String(row[2 + 2 * i]) })
    out.set(Number(row[0]), ranges)
  }
  return out
}

function mayOverlap(spec: TableSpec, file: LiveFile, keyCols: StagedColumn[], ranges: KeyRange[]): boolean {
  return boundsMeet(spec, file.file, new Map(keyCols.map((c, i) => [c.name, ranges[i] as KeyRange])))
}

/** Whether a data file's manifest bounds could hold keys within these ranges (column → min/max). */
export function boundsMeet(spec: TableSpec, file: DataFileRecord, ranges: Map<string, KeyRange>): boolean {
  for (const [name, range] of ranges) {
    const col = spec.columns.find((c) => c.name === name)
    if (!col || !range) continue
    const lo = file.lower_bounds?.find((b) => b.key === col.id)
    const hi = file.upper_bounds?.find((b) => b.key === col.id)
    if (!lo || !hi) continue
    const fileMin = String(decodeValue(col.type, lo.value))
    const fileMax = String(decodeValue(col.type, hi.value))
    if (compareStrings(fileMax, range.min) < 0 || compareStrings(range.max, fileMin) < 0) return false
  }
  return true
}

/** Deletes duplicate-key rows from the staged table; returns how many were dropped. */
export async function dropDuplicates(
  conn: DuckDBConnection,
  spec: TableSpec,
  staged: Staged,
  live: LiveFile[],
  ctx: FileContext,
): Promise<number> {
  const key = spec.uniqueKey
  if (!key) return 0
  const keyCols = key.map((k) => staged.columns.find((c) => c.name === k) as StagedColumn)
  let dropped = 0
  if (staged.mayHaveDuplicates) {
    const keys = keyCols.map((c) => `"${c.name}"`).join(', ')
    const table = await materialize(conn, staged)
    const reader = await conn.runAndReadAll(`DELETE FROM ${table} WHERE rowid NOT IN (SELECT min(rowid) FROM ${table} GROUP BY ${keys})`)
    dropped += Number(reader.rowsChanged)
    if (dropped > 0) staged.stats = null // counted before the delete
  }
  if (live.length === 0) return dropped
  const ranges = knownRanges(staged, keyCols) ?? (await stagedRanges(conn, staged, keyCols))
  const candidates = new Map<string, number>()
  for (const [p, r] of ranges) {
    const tuple = staged.partitions[p] ?? {}
    for (const f of live) {
      const samePartition = spec.partition.every((pf) => f.file.partition[pf.name] === tuple[pf.name])
      if (samePartition && mayOverlap(spec, f, keyCols, r)) candidates.set(f.path, Number(f.file.file_size_in_bytes))
    }
  }
  if (candidates.size === 0) return dropped
  await checkDataFiles(
    [...candidates].map(([path, size]) => ({ path, size })),
    ctx,
  )
  const files = `[${[...candidates.keys()].map(sqlString).join(', ')}]`
  const on = keyCols.map((c) => `${decodeExpr(c, 's.')} = e."${c.name}"`).join(' AND ')
  const cols = keyCols.map((c) => `"${c.name}"`).join(', ')
  const table = await materialize(conn, staged)
  try {
    const reader = await conn.runAndReadAll(
      `DELETE FROM ${table} WHERE rowid IN (SELECT s.rowid FROM ${table} s JOIN (SELECT ${cols} FROM read_parquet(${files})) e ON ${on})`,
    )
    if (Number(reader.rowsChanged) > 0) staged.stats = null // counted before the delete
    return dropped + Number(reader.rowsChanged)
  } catch (err) {
    throw await readFailure(err, [...candidates.keys()], ctx, (p) => conn.run(probeSql(p)))
  }
}
