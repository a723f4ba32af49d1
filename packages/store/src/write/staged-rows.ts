import type { DuckDBConnection } from '@duckdb/node-api'
import type { Scalar } from '@k2/core'

/**
 * Rows on their way into data files. Rows appended from JS are a column batch that DuckDB scans
 * through `k2_stage_scan` (see duckdb-scan.ts); rows already in DuckDB (imports, compaction) are a
 * temp table. Deduplication that must delete rows first materializes a batch into a temp table.
 */

export interface ColumnStats {
  count: number
  nulls: number
  nans: number
  min: Scalar | null
  max: Scalar | null
}

/** Partition index → column name → statistics. */
export type PartitionStats = Map<number, Map<string, ColumnStats>>

/** How a batch is laid out in the lake (computed by `planBatch` in file-layout.ts). */
export interface BatchPlan {
  /** Partition index of each row (input order), and the tuple of each index. */
  part: Int32Array
  partitions: Record<string, Scalar | null>[]
  /** True when ids do not rise strictly per (exchange, symbol): the batch may hold duplicate keys. */
  mayHaveDuplicates: boolean
  /** Row indexes in file order, or null when rows stay in input order (DuckDB then sorts). */
  order: Uint32Array | null
  /** With `order`: partition p is `order[start[p] .. start[p + 1])`. */
  start: Int32Array | null
  /** Every id a canonical decimal below 10^15: staged as BIGINT, with string bounds per partition. */
  numericIds: { column: number; bounds: Map<number, { min: string; max: string }> } | null
}

export type StageKind = 'code' | 'string' | 'numid' | 'double' | 'int' | 'long' | 'ts' | 'bool'

export interface StagedColumn {
  name: string
  kind: StageKind
  required: boolean
  /** Dictionary of a `code` column (an ENUM in DuckDB): index → string. */
  dict: string[]
  /** A `numid` column (decimal-string ids staged as BIGINT): its string min/max per partition. */
  bounds?: Map<number, { min: string; max: string }>
}

export interface Staged {
  /** The temp table holding the rows (with the partition index in `__p`), once there is one. */
  table: string | null
  /** The column batch the rows come from (its scan handle), until they are materialized into `table`. */
  batch: { handle: number; release(): void } | null
  rows: number
  columns: StagedColumn[]
  /** Partition tuples by index (the `__p` column). */
  partitions: Record<string, Scalar | null>[]
  /** True when the batch may hold duplicate unique keys (ids not strictly increasing per key). */
  mayHaveDuplicates: boolean
  /** True when rows are staged in file order (partition, sort columns): the COPY needs no ORDER BY. */
  sorted: boolean
  /** Exact column statistics per partition; null once rows were deleted (then SQL recomputes them). */
  stats?: PartitionStats | null
}

let seq = 0

/** Copies a batch's rows into a temp table (file order kept), for deletes; returns its name. */
export async function materialize(conn: DuckDBConnection, staged: Staged): Promise<string> {
  if (staged.table) return staged.table
  const batch = staged.batch as NonNullable<Staged['batch']>
  const table = `k2_stage_${++seq}`
  await conn.run(`CREATE TEMP TABLE ${table} AS SELECT * FROM k2_stage_scan(${batch.handle}, -1)`)
  staged.table = table
  release(staged)
  return table
}

/** Lets the batch go (its columns stay with the caller); the temp table, if any, stays. */
export function release(staged: Staged): void {
  staged.batch?.release()
  staged.batch = null
}

/** The FROM clause (and filter) reading partition `p` of the staged rows, or all rows for null. */
export function stagedSource(staged: Staged, p: number | null): string {
  if (staged.table) return p === null ? staged.table : `${staged.table} WHERE __p = ${p}`
  const batch = staged.batch
  if (!batch) throw new Error('staged rows were released')
  return `k2_stage_scan(${batch.handle}, ${p ?? -1})`
}

/**
 * SQL that turns a staged column back into its lake value. `toFile`: an ENUM is left as it is,
 * since the Parquet writer stores it as strings; elsewhere it is cast, to compare with VARCHAR.
 */
export function decodeExpr(col: StagedColumn, alias = '', toFile = false): string {
  const ref = `${alias}"${col.name}"`
  if (col.kind === 'numid') return `CAST(${ref} AS VARCHAR)`
  if (col.kind !== 'code') return ref
  if (col.dict.length === 0) return `CAST(NULL AS VARCHAR)`
  return toFile ? ref : `CAST(${ref} AS VARCHAR)`
}

/** SQL that orders rows by `col` as its decoded value would sort, without decoding strings. */
export function sortExpr(col: StagedColumn): string {
  return col.kind === 'code' ? `CAST("${col.name}" AS VARCHAR)` : `"${col.name}"` // an ENUM sorts by code
}
