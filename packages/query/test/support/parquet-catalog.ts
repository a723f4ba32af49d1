import type { DuckDBConnection } from '@duckdb/node-api'
import type { AsOf, DataFile, FileCatalog, SnapshotFiles } from '@k2/core'
import { type ColumnSpec, K2Error, TABLE_SCHEMAS, type TableName } from '@k2/core'

/**
 * A real FileCatalog over real Parquet files: each snapshot lists files whose bounds and null
 * counts are read from the files' own footers with DuckDB's `parquet_metadata()` — what an Iceberg
 * manifest records for them. Snapshots are appended like commits; time travel by id or time works.
 */
export class ParquetCatalog implements FileCatalog {
  readonly #snapshots = new Map<TableName, { snapshotId: bigint; timestamp: number; files: DataFile[] }[]>()
  #nextId = 1000n

  /** Commits a snapshot of `table` holding `files` (replacing the previous list), at `timestamp` µs. */
  commit(table: TableName, files: DataFile[], timestamp: number): bigint {
    const list = this.#snapshots.get(table) ?? []
    const snapshotId = this.#nextId++
    list.push({ snapshotId, timestamp, files })
    this.#snapshots.set(table, list)
    return snapshotId
  }

  async files(table: TableName, asOf?: AsOf): Promise<SnapshotFiles> {
    const list = this.#snapshots.get(table) ?? []
    let snap = list.at(-1)
    if (asOf?.snapshot !== undefined) snap = list.find((s) => s.snapshotId === asOf.snapshot)
    else if (asOf?.at !== undefined) snap = list.filter((s) => s.timestamp <= (asOf.at as number)).at(-1)
    if (asOf !== undefined && snap === undefined)
      throw new K2Error('NOT_FOUND', `no snapshot of ${table} matches ${String(asOf.snapshot ?? asOf.at)}`)
    return { table, snapshotId: snap?.snapshotId ?? null, files: snap ? [...snap.files] : [] }
  }
}

const CAST: Record<string, (expr: string) => string> = {
  string: (e) => e,
  double: (e) => `${e}::DOUBLE`,
  long: (e) => `${e}::BIGINT`,
  int: (e) => `${e}::BIGINT`,
  timestamptz: (e) => `epoch_us(${e}::TIMESTAMPTZ)`,
}

/** A DataFile for a Parquet file, with bounds and null counts from its footer statistics. */
export async function describeParquet(
  conn: DuckDBConnection,
  table: TableName,
  path: string,
  partition: Record<string, string | number | null>,
): Promise<DataFile> {
  const lowerBounds: Record<string, string | number> = {}
  const upperBounds: Record<string, string | number> = {}
  const nullCounts: Record<string, number> = {}
  for (const spec of TABLE_SCHEMAS[table] as readonly ColumnSpec[]) {
    const cast = CAST[spec.type]
    if (!cast) continue
    // Cast before aggregating, so numbers and times compare as numbers, not as text.
    const r = await conn.runAndReadAll(
      `SELECT min(${cast('stats_min_value')}), max(${cast('stats_max_value')}), sum(stats_null_count)::BIGINT
       FROM parquet_metadata($1) WHERE path_in_schema = $2`,
      [path, spec.name],
    )
    const [tlo, thi, nulls] = r.getRows()[0] ?? []
    if (tlo !== null && tlo !== undefined) lowerBounds[spec.name] = typeof tlo === 'bigint' ? Number(tlo) : (tlo as string | number)
    if (thi !== null && thi !== undefined) upperBounds[spec.name] = typeof thi === 'bigint' ? Number(thi) : (thi as string | number)
    if (nulls !== null && nulls !== undefined) nullCounts[spec.name] = Number(nulls)
  }
  const meta = await conn.runAndReadAll('SELECT num_rows, file_size_bytes FROM parquet_file_metadata($1)', [path])
  const [rows, size] = meta.getRows()[0] ?? [0n, 0n]
  return { path, recordCount: Number(rows), fileSizeBytes: Number(size), partition, lowerBounds, upperBounds, nullCounts }
}
