import { randomUUID } from 'node:crypto'
import { unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { TableName, Tables } from '@k2/core'
import { giveBack, takeBatch } from './batch-pool.js'
import type { AsOf, DataFile, SnapshotFiles } from './catalog.js'
import type { ColumnBatch } from './column-batch.js'
import { commitSnapshot, currentSnapshot, ensureTable, loadLatest, type TableContext } from './commit.js'
import { writeDataFiles } from './data-files.js'
import { dropDuplicates } from './dedup.js'
import type { Engine } from './engine.js'
import { expandBooks, type WriterInput } from './event-rows.js'
import {
  applyRetention,
  type CompactOptions,
  compact,
  type ExpireOptions,
  type ExpireResult,
  expireSnapshots,
  type RetentionPolicy,
  removeOrphans,
} from './maintenance.js'
import type { DataFileRecord } from './manifest-schemas.js'
import { type LiveFile, liveFiles } from './manifests.js'
import { fromUri, toUri } from './paths.js'
import { readRows } from './read-rows.js'
import { type SnapshotInfo, selectSnapshot, snapshotInfo } from './snapshots.js'
import { release, type Staged, stageBatch } from './stage.js'
import type { TableMetadata, Version } from './table-metadata.js'
import { icebergPartitionSpec, icebergSchema, nameMapping, type TableSpec, tableSpec } from './table-spec.js'
import { decodeValue } from './values.js'
import { TableWriter, type WriterOptions } from './writer.js'

/** What one commit of rows did. */
export interface CommitResult {
  /** The new snapshot, or null when nothing was committed (every row was a duplicate). */
  snapshotId: bigint | null
  rows: number
  /** Rows dropped because their unique key (silver.trades: exchange, symbol, id) already existed. */
  duplicates: number
  files: number
}

export interface TableDeps {
  root: string
  engine: Engine
  nowMs: () => number
  maxRetries: number
  retention: Partial<Record<TableName, RetentionPolicy[]>>
}

/** Builds the v1 metadata of a new table. */
function initialMetadata(spec: TableSpec, location: string, nowMs: number): TableMetadata {
  return {
    'format-version': 2,
    'table-uuid': randomUUID(),
    location,
    'last-sequence-number': 0,
    'last-updated-ms': nowMs,
    'last-column-id': spec.columns.length,
    schemas: [icebergSchema(spec)],
    'current-schema-id': 0,
    'partition-specs': [icebergPartitionSpec(spec)],
    'default-spec-id': 0,
    'last-partition-id': spec.partition.length > 0 ? 999 + spec.partition.length : 999,
    'sort-orders': [{ 'order-id': 0, fields: [] }],
    'default-sort-order-id': 0,
    properties: {
      'write.format.default': 'parquet',
      'write.parquet.compression-codec': 'zstd',
      'schema.name-mapping.default': nameMapping(spec),
    },
    'current-snapshot-id': -1,
    snapshots: [],
    'snapshot-log': [],
    'metadata-log': [],
    refs: {},
    statistics: [],
    'partition-statistics': [],
  }
}

/** One lake table: Iceberg metadata under `<lake>/<ns>/<tbl>/metadata`, Parquet under `data/`. */
export class LakeTable<T extends TableName = TableName> {
  readonly name: T
  readonly spec: TableSpec
  readonly dir: string
  /** @internal */
  readonly ctx: TableContext
  /** @internal */
  readonly deps: TableDeps

  /** @internal use `lake.table(name)` */
  constructor(deps: TableDeps, name: T, dir: string) {
    this.name = name
    this.spec = tableSpec(name)
    this.dir = dir
    this.deps = deps
    this.ctx = { spec: this.spec, dir, metadataDir: join(dir, 'metadata'), nowMs: deps.nowMs, maxRetries: deps.maxRetries }
  }

  /** @internal creates the table on first use */
  async ensure(): Promise<Version> {
    return ensureTable(this.ctx, () => initialMetadata(this.spec, toUri(this.dir), this.deps.nowMs()))
  }

  /** The latest committed metadata version. */
  async current(): Promise<Version> {
    return (await loadLatest(this.ctx)) ?? this.ensure()
  }

  /** An empty batch of this table's rows (see `addTo`), with room for `capacity` rows. */
  newBatch(capacity = 1024): ColumnBatch {
    return takeBatch(this.spec, capacity)
  }

  /** Checks writer input (rows or core events) and adds it to `batch`; on a bad row adds nothing. */
  addTo(batch: ColumnBatch, input: readonly WriterInput<T>[]): void {
    batch.append(this.name === 'silver.book' ? expandBooks(input as readonly unknown[]) : input)
  }

  /**
   * Appends rows in one commit: the rows are durable (fsynced and committed) when it resolves.
   * Prefer `writer()` for streams of rows; this is the single-batch form.
   */
  async append(input: readonly WriterInput<T>[]): Promise<CommitResult> {
    const batch = this.newBatch(input.length)
    try {
      this.addTo(batch, input)
      return await this.commitBatch(batch)
    } finally {
      giveBack(batch)
    }
  }

  /** @internal commits a checked batch */
  async commitBatch(batch: ColumnBatch): Promise<CommitResult> {
    if (batch.length === 0) return { snapshotId: null, rows: 0, duplicates: 0, files: 0 }
    await this.current()
    const staged = stageBatch(this.spec, batch)
    try {
      return await this.deps.engine.with((conn) => this.commitStaged(conn, staged))
    } finally {
      release(staged)
    }
  }

  /**
   * @internal The one append path (writers, imports): deduplicates the staged rows against the
   * base (again after a lost race, against what the winner added), writes the Parquet files and
   * commits them. Files of a failed commit are deleted.
   */
  async commitStaged(conn: DuckDBConnection, staged: Staged): Promise<CommitResult> {
    const seen = new Set<string>()
    let add: DataFileRecord[] | null = null
    let duplicates = 0
    const discardFiles = async () => {
      for (const f of add ?? []) await unlink(fromUri(f.file_path)).catch(() => {})
    }
    try {
      const result = await commitSnapshot(this.ctx, async (_base, live) => {
        const fresh = live.filter((l) => !seen.has(l.file.file_path))
        for (const l of live) seen.add(l.file.file_path)
        const dropped = this.spec.uniqueKey ? await dropDuplicates(conn, this.spec, staged, fresh) : 0
        staged.mayHaveDuplicates = false
        duplicates += dropped
        if (add === null || dropped > 0) {
          await discardFiles()
          add = await writeDataFiles(conn, this.spec, staged, this.dir)
        }
        return { operation: 'append', add, remove: new Set<string>() }
      })
      const files = add as DataFileRecord[] | null
      return {
        snapshotId: result.snapshot ? BigInt(result.snapshot['snapshot-id']) : null,
        rows: staged.rows - duplicates,
        duplicates,
        files: files?.length ?? 0,
      }
    } catch (err) {
      await discardFiles()
      throw err
    }
  }

  /** The live data files of a snapshot, as the manifests describe them (internal form). */
  async liveFiles(asOf?: AsOf): Promise<LiveFile[]> {
    const { metadata } = await this.current()
    return liveFiles(selectSnapshot(metadata, this.name, asOf))
  }

  /** The data files of a snapshot with partition values and decoded column bounds (`FileCatalog`). */
  async files(asOf?: AsOf): Promise<SnapshotFiles> {
    const { metadata } = await this.current()
    const snap = selectSnapshot(metadata, this.name, asOf)
    const live = await liveFiles(snap)
    return { table: this.name, snapshotId: snap ? BigInt(snap['snapshot-id']) : null, files: live.map((l) => this.#dataFile(l.file)) }
  }

  #dataFile(f: DataFileRecord): DataFile {
    const byId = new Map(this.spec.columns.map((c) => [c.id, c]))
    const bounds = (list: DataFileRecord['lower_bounds']) => {
      const out: Record<string, string | number> = {}
      for (const { key, value } of list ?? []) {
        const c = byId.get(key)
        if (c) out[c.name] = decodeValue(c.type, value) as string | number
      }
      return out
    }
    const nulls: Record<string, number> = {}
    for (const { key, value } of f.null_value_counts ?? []) {
      const c = byId.get(key)
      if (c) nulls[c.name] = Number(value)
    }
    return {
      path: fromUri(f.file_path),
      recordCount: Number(f.record_count),
      fileSizeBytes: Number(f.file_size_in_bytes),
      partition: { ...f.partition },
      lowerBounds: bounds(f.lower_bounds),
      upperBounds: bounds(f.upper_bounds),
      nullCounts: nulls,
    }
  }

  /** Every row of the table at the current snapshot, or `asOf` a snapshot id or a time. */
  async scan(asOf?: AsOf): Promise<Tables[T][]> {
    const live = await this.liveFiles(asOf)
    return this.deps.engine.with((conn) =>
      readRows(
        conn,
        this.spec,
        live.map((l) => fromUri(l.file.file_path)),
      ),
    ) as Promise<Tables[T][]>
  }

  /**
   * What changed between two snapshots (`from` exclusive, `to` inclusive; `to` defaults to the
   * current one): the data files live at `to` that were not live at `from`, and their rows —
   * "what is new since my last run". Files rewritten by compaction count as new.
   */
  async changes(
    from: bigint,
    to?: bigint,
  ): Promise<{ fromSnapshotId: bigint; toSnapshotId: bigint | null; files: DataFile[]; rows: Tables[T][] }> {
    const before = new Set((await this.liveFiles({ snapshotId: from })).map((l) => l.file.file_path))
    const { metadata } = await this.current()
    const toSnap = selectSnapshot(metadata, this.name, to === undefined ? {} : { snapshotId: to })
    const added = (await liveFiles(toSnap)).filter((l) => !before.has(l.file.file_path))
    const rows = (await this.deps.engine.with((conn) =>
      readRows(
        conn,
        this.spec,
        added.map((l) => fromUri(l.file.file_path)),
      ),
    )) as Tables[T][]
    return {
      fromSnapshotId: from,
      toSnapshotId: toSnap ? BigInt(toSnap['snapshot-id']) : null,
      files: added.map((l) => this.#dataFile(l.file)),
      rows,
    }
  }

  /** Snapshots, oldest first: id, time, operation, rows and files added/removed, totals. */
  async history(): Promise<SnapshotInfo[]> {
    const { metadata } = await this.current()
    return metadata.snapshots.map((s) => snapshotInfo(metadata, s))
  }

  /** Expires old snapshots and deletes the files only they referenced. See {@link ExpireOptions}. */
  expireSnapshots(opts?: ExpireOptions): Promise<ExpireResult> {
    return expireSnapshots(this, opts)
  }

  /** Deletes rows older than the policies' ages in one overwrite commit (default: the lake's policies). */
  applyRetention(policies?: RetentionPolicy | RetentionPolicy[]): Promise<{ deletedRows: number; snapshotId: bigint | null }> {
    const list = policies === undefined ? (this.deps.retention[this.name] ?? []) : Array.isArray(policies) ? policies : [policies]
    return applyRetention(this, list)
  }

  /** Rewrites each partition's small files into one larger file; the rows do not change. */
  compact(opts?: CompactOptions): Promise<{ rewrittenFiles: number; addedFiles: number; snapshotId: bigint | null }> {
    return compact(this, opts)
  }

  /** Deletes unreferenced files older than a grace period (default "3d"). */
  removeOrphans(opts?: { olderThan?: string | number }): Promise<{ deleted: string[] }> {
    return removeOrphans(this, opts)
  }

  /** A buffered writer: rows are durable once `flush()` (or a size/time flush) resolves. */
  writer(opts?: WriterOptions): TableWriter<T> {
    return new TableWriter(this, opts)
  }

  /** The current snapshot id, or null before the first commit. */
  async currentSnapshotId(): Promise<bigint | null> {
    const s = currentSnapshot((await this.current()).metadata)
    return s ? BigInt(s['snapshot-id']) : null
  }
}
