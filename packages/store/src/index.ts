/**
 * @k2/store — the lake: Apache Iceberg v2 tables of Parquet files, and typed queries over them.
 *
 * ```ts
 * const lake = await openLake('./k2-lake')
 * const trades = await lake.table('silver.trades')
 * const w = trades.writer({ flushRows: 100_000, flushMs: 5_000 })
 * await w.append(batchOfTrades); await w.flush()   // durable once flush resolves
 * await trades.history()
 * ```
 * @packageDocumentation
 */

export { type BookAtLake, type BookAtOptions, bookAt } from './book-at.js'
export type { CoverageReport } from './coverage-report.js'
export { type IcebergField, IcebergTable, type OpenTableOptions, openTable, type ReadOptions, type TableVersion } from './foreign-table.js'
export type { Relocation } from './iceberg/relocate-table.js'
export type { SnapshotInfo } from './iceberg/snapshots.js'
export type { BadRow } from './import/bad-rows.js'
export { IMPORT_FORMATS, type ImportFormat } from './import/format.js'
export {
  type ImportedFile,
  type ImportFilesOptions,
  type ImportLake,
  type ImportProgress,
  type ImportSummary,
  importFiles,
} from './import/import-files.js'
export { type ImportOptions, importTrades } from './import-trades.js'
export { Lake, type LakeOptions, openLake } from './lake.js'
export { LakeTable } from './lake-table.js'
export type { CompactOptions, ExpireOptions, ExpireResult, RetentionPolicy } from './maintenance.js'
export { type PipeOptions, type PipeStats, pipe } from './pipe.js'
export type { ReplaceOptions, ReplaceResult } from './replace-rows.js'
export { compareEvents as compareReplayEvents } from './replay/event-order.js'
export { Replay } from './replay/replay.js'
export type { CandleEvent, DisconnectEvent, ReplayEvent } from './replay/replay-events.js'
export type { ReplayChannel, ReplayOptions } from './replay/replay-options.js'
export type { ReplayPosition } from './replay/replay-position.js'
export type { ReplaySnapshots } from './replay/replay-snapshot.js'
export type { CommitResult } from './table-core.js'
export { type Scheduler, TableWriter, type WriterOptions } from './table-writer.js'
export type { WriterInput } from './write/event-rows.js'
