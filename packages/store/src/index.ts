/**
 * @k2/store — the lake: Apache Iceberg v2 tables of Parquet files, and typed queries over them.
 * @packageDocumentation
 */
export const PACKAGE_NAME = '@k2/store'

export type { AsOf, DataFile, FileCatalog, SnapshotFiles } from './catalog.js'
export * from './query/index.js'
