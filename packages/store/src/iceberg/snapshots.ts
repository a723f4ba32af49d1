import type { AsOf } from '@k2/core'
import { K2Error, toMillis } from '@k2/core'
import type { Snapshot, TableMetadata } from './table-metadata.js'

/** Snapshot selection (time travel) and the public shape of a snapshot in `history()`. */

export interface SnapshotInfo {
  snapshotId: bigint
  parentId: bigint | null
  sequenceNumber: number
  /** Commit time, epoch µs (ms precision, as Iceberg stores it). */
  timestamp: number
  operation: string
  addedRows: number
  deletedRows: number
  addedFiles: number
  deletedFiles: number
  totalRows: number
  totalFiles: number
  /** True for the snapshot the table currently reads. */
  current: boolean
  summary: Readonly<Record<string, string>>
}

export function snapshotInfo(meta: TableMetadata, s: Snapshot): SnapshotInfo {
  const n = (k: string) => Number(s.summary[k] ?? 0)
  return {
    snapshotId: BigInt(s['snapshot-id']),
    parentId: s['parent-snapshot-id'] === undefined ? null : BigInt(s['parent-snapshot-id']),
    sequenceNumber: s['sequence-number'],
    timestamp: s['timestamp-ms'] * 1000,
    operation: s.summary.operation,
    addedRows: n('added-records'),
    deletedRows: n('deleted-records'),
    addedFiles: n('added-data-files'),
    deletedFiles: n('deleted-data-files'),
    totalRows: n('total-records'),
    totalFiles: n('total-data-files'),
    current: meta['current-snapshot-id'] === s['snapshot-id'],
    summary: s.summary,
  }
}

/**
 * The snapshot `asOf` selects: by id (NOT_FOUND when unknown or expired), by time (the one current
 * at that instant, from the snapshot log, as Spark, PyIceberg and DuckDB resolve it), else the
 * current one. Undefined means "no snapshot" (an empty table, or a time before the first commit).
 */
export function selectSnapshot(meta: TableMetadata, table: string, asOf?: AsOf): Snapshot | undefined {
  if (asOf?.snapshot !== undefined) {
    const id = asOf.snapshot
    const s = meta.snapshots.find((x) => x['snapshot-id'] === id)
    if (!s) {
      throw new K2Error('NOT_FOUND', `${table} has no snapshot ${id} (never existed or expired): list them with history()`, {
        details: { snapshotId: String(id) },
      })
    }
    return s
  }
  if (asOf?.at !== undefined) {
    const ms = toMillis(asOf.at)
    let pick: bigint | undefined
    for (const e of meta['snapshot-log']) if (e['timestamp-ms'] <= ms) pick = e['snapshot-id']
    if (pick === undefined) {
      throw new K2Error(
        'NOT_FOUND',
        `${table} has no snapshot at or before ${new Date(ms).toISOString()}: pick a later time (see history())`,
        {
          details: { at: asOf.at },
        },
      )
    }
    return meta.snapshots.find((s) => s['snapshot-id'] === pick)
  }
  const id = meta['current-snapshot-id']
  return id === -1n ? undefined : meta.snapshots.find((s) => s['snapshot-id'] === id)
}
