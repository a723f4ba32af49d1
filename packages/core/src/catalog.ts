import type { AsOf } from './as-of.js'
import type { TableName } from './tables.js'

/**
 * The contract between the lake (which knows Iceberg snapshots and manifests) and the query layer
 * (which plans SQL over Parquet files). The query layer never reads Iceberg metadata itself: it asks a
 * `FileCatalog` for the data files of one snapshot of a table, with the statistics it prunes on.
 */

/** One column value as K2 compares, bounds and partitions it. */
export type Scalar = string | number | boolean

/** One Parquet data file of a snapshot, as its manifest entry describes it. */
export interface DataFile {
  /** Absolute local path of the Parquet file (what `read_parquet` is given). */
  path: string
  recordCount: number
  fileSizeBytes: number
  /** Partition values by partition-field name, e.g. `{ ts_day: 19625, exchange: 'binance' }`. */
  partition: Readonly<Record<string, string | number | null>>
  /**
   * Column bounds by column name, decoded to JS values: numbers for long/int/double, epoch µs for
   * timestamptz, strings for string. A column missing here has no bounds (no pruning on it).
   */
  lowerBounds: Readonly<Record<string, string | number>>
  upperBounds: Readonly<Record<string, string | number>>
  nullCounts: Readonly<Record<string, number>>
}

export interface SnapshotFiles {
  table: TableName
  /** The snapshot read; null for a table with no snapshot yet (no files). */
  snapshotId: bigint | null
  files: DataFile[]
}

export interface FileCatalog {
  /** The data files of `table` at `asOf` (see `as-of.ts`; the current snapshot when absent). Throws `K2Error('NOT_FOUND')` for an unknown snapshot. */
  files(table: TableName, asOf?: AsOf): Promise<SnapshotFiles>
  /**
   * Optional: checks that data files of a snapshot are intact before a query reads them (the
   * query layer passes the files it chose after pruning). Throws `K2Error('CORRUPT_TABLE')` naming
   * a file that is missing or damaged. A K2 lake checks sizes and the checksums it wrote.
   */
  checkFiles?(table: TableName, snapshotId: bigint | null, paths: readonly string[]): Promise<void>
}
