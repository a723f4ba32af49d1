import { unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { AsOf, DataFile, TableName } from '@k2/core'
import { commitSnapshot, currentSnapshot } from './iceberg/commit.js'
import { ensureTable, isReadOnlyLake, unpublishedTable } from './iceberg/create-table.js'
import type { ResolvePath } from './iceberg/file-uri.js'
import { fromUri } from './iceberg/file-uri.js'
import type { DataFileRecord } from './iceberg/manifest-schemas.js'
import { type LiveFile, liveFiles } from './iceberg/manifests.js'
import { loadLatest } from './iceberg/metadata-versions.js'
import { decodeValue } from './iceberg/single-value.js'
import { selectSnapshot } from './iceberg/snapshots.js'
import { isAtLocation, tableResolver } from './iceberg/table-location.js'
import type { Snapshot, TableContext, Version } from './iceberg/table-metadata.js'
import { type TableSpec, tableSpec } from './iceberg/table-spec.js'
import { withJsonIds } from './json-ids.js'
import type { LakeDuckDB } from './lake-duckdb.js'
import { readRows } from './read-rows.js'
import type { ColumnBatch } from './write/column-batch.js'
import { checkDataFiles } from './write/data-file-checks.js'
import { dropDuplicates } from './write/dedup.js'
import { expandBooks } from './write/event-rows.js'
import { writeDataFiles } from './write/parquet-files.js'
import { takeBatch } from './write/spare-batches.js'
import { stageBatch } from './write/stage-batch.js'
import { release, type Staged } from './write/staged-rows.js'

/**
 * The internal handle of one table, shared by everything that works on it: its layout and
 * directories (the `TableContext` commits need), the lake's DuckDB and clock, the latest metadata,
 * the live files of a snapshot, batches of its rows, and the one append path. `LakeTable` is the
 * public facade over it; writers, maintenance, imports and coverage take the handle itself.
 */

/** What one commit of rows did. */
export interface CommitResult {
  /** The new snapshot, or null when nothing was committed (every row was a duplicate). */
  snapshotId: bigint | null
  rows: number
  /** Rows dropped because their unique key (silver.trades: exchange, symbol, id) already existed. */
  duplicates: number
  files: number
}

/** What a table gets from its lake. */
export interface TableDeps {
  duckdb: LakeDuckDB
  /** Wall clock in ms (injectable for tests). */
  nowMs: () => number
  maxRetries: number
}

export class TableCore<T extends TableName = TableName> implements TableContext {
  readonly name: T
  readonly spec: TableSpec
  readonly dir: string
  readonly metadataDir: string
  readonly duckdb: LakeDuckDB
  readonly nowMs: () => number
  readonly maxRetries: number

  constructor(deps: TableDeps, name: T, dir: string) {
    this.name = name
    this.spec = tableSpec(name)
    this.dir = dir
    this.metadataDir = join(dir, 'metadata')
    this.duckdb = deps.duckdb
    this.nowMs = deps.nowMs
    this.maxRetries = deps.maxRetries
  }

  /** Creates the table on first use (IO when the lake is not writable). */
  ensure(): Promise<Version> {
    return ensureTable(this)
  }

  /**
   * The latest committed metadata version, creating the table on first use; in a lake that cannot
   * be written, a table not created yet reads as empty (an unpublished v0), as pyiceberg's
   * read-only catalogs would have it.
   */
  async current(): Promise<Version> {
    const latest = await loadLatest(this)
    if (latest) return latest
    try {
      return await this.ensure()
    } catch (err) {
      if (isReadOnlyLake(err)) return unpublishedTable(this)
      throw err
    }
  }

  /** The snapshot `asOf` selects in the latest metadata (undefined: no snapshot yet). */
  async snapshot(asOf?: AsOf): Promise<Snapshot | undefined> {
    return selectSnapshot((await this.current()).metadata, this.name, asOf)
  }

  async currentSnapshotId(): Promise<bigint | null> {
    const s = currentSnapshot((await this.current()).metadata)
    return s ? BigInt(s['snapshot-id']) : null
  }

  /** The live data files of a snapshot, as the manifests describe them. */
  async liveFiles(asOf?: AsOf): Promise<LiveFile[]> {
    const { metadata } = await this.current()
    return liveFiles(selectSnapshot(metadata, this.name, asOf), await tableResolver(metadata.location, this.dir))
  }

  /** The live data files of `snapshot`, found through the path mapping of a moved table. */
  async filesOf(snapshot: Snapshot | undefined): Promise<LiveFile[]> {
    return liveFiles(snapshot, await this.resolver())
  }

  /**
   * How metadata URIs map to local files: as they are, or — for a table opened at another path than
   * its metadata names (a copied or moved lake) — through the prefix `location` → `dir`, so reads
   * work before `relocate()`; writes and maintenance refuse (`commitMetadata`).
   */
  async resolver(): Promise<ResolvePath> {
    return tableResolver((await this.current()).metadata.location, this.dir)
  }

  /** Where the metadata says the table lives, where it was opened, and whether those differ. */
  async location(): Promise<{ location: string; dir: string; moved: boolean }> {
    const { location } = (await this.current()).metadata
    return { location, dir: this.dir, moved: !(await isAtLocation(location, this.dir)) }
  }

  /** A live file as the `FileCatalog` describes it: local path, partition, decoded bounds. */
  dataFile({ file: f, path }: LiveFile): DataFile {
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
      path,
      recordCount: Number(f.record_count),
      fileSizeBytes: Number(f.file_size_in_bytes),
      partition: { ...f.partition },
      lowerBounds: bounds(f.lower_bounds),
      upperBounds: bounds(f.upper_bounds),
      nullCounts: nulls,
    }
  }

  /** Every row of `files` of snapshot `snapshotId`, as plain objects (times as epoch µs), in file order. */
  readRows(files: readonly LiveFile[], snapshotId: bigint | null = null): Promise<Record<string, unknown>[]> {
    const read = files.map((l) => ({ path: l.path, size: Number(l.file.file_size_in_bytes) }))
    return this.duckdb.with((conn) => readRows(conn, this.spec, read, { table: this.name, snapshotId }))
  }

  /** Checks data files of a snapshot before another engine reads them (`FileCatalog.checkFiles`). */
  async checkFiles(snapshotId: bigint | null, paths: readonly string[], sizes: ReadonlyMap<string, number>): Promise<void> {
    const files = paths.map((path) => ({ path, size: sizes.get(path) ?? -1 }))
    await checkDataFiles(files, { table: this.name, snapshotId })
  }

  /** An empty batch of this table's rows (see `addTo`), with room for `capacity` rows. */
  newBatch(capacity = 1024): ColumnBatch {
    return takeBatch(this.spec, capacity)
  }

  /**
   * Checks writer input (rows or core events; typed as `WriterInput<T>` by the facades) and adds it
   * to `batch`; on a bad row adds nothing.
   */
  addTo(batch: ColumnBatch, input: readonly unknown[]): void {
    batch.append(this.name === 'silver.book' ? expandBooks(input) : input)
  }

  /** Commits a checked batch. */
  async commitBatch(batch: ColumnBatch): Promise<CommitResult> {
    if (batch.length === 0) return { snapshotId: null, rows: 0, duplicates: 0, files: 0 }
    await this.ensure()
    const staged = stageBatch(this.spec, batch)
    try {
      return await this.duckdb.with((conn) => this.commitStaged(conn, staged))
    } finally {
      release(staged)
    }
  }

  /**
   * The one append path (writers, imports): deduplicates the staged rows against the base (again
   * after a lost race, against what the winner added), writes the Parquet files and commits them.
   * Files of a failed commit are deleted.
   */
  async commitStaged(conn: DuckDBConnection, staged: Staged): Promise<CommitResult> {
    const seen = new Set<string>()
    let add: DataFileRecord[] | null = null
    let duplicates = 0
    const discardFiles = async () => {
      for (const f of add ?? []) await unlink(fromUri(f.file_path)).catch(() => {})
    }
    try {
      const result = await commitSnapshot(this, async (base, live) => {
        const fresh = live.filter((l) => !seen.has(l.file.file_path))
        for (const l of live) seen.add(l.file.file_path)
        const current = base.metadata['current-snapshot-id']
        const ctx = { table: this.name, snapshotId: Number(current) === -1 ? null : current }
        const dropped = this.spec.uniqueKey ? await dropDuplicates(conn, this.spec, staged, fresh, ctx) : 0
        staged.mayHaveDuplicates = false
        duplicates += dropped
        if (add === null || dropped > 0) {
          await discardFiles()
          add = await writeDataFiles(conn, this.spec, staged, this.dir)
        }
        return { operation: 'append', add, remove: new Set<string>() }
      })
      const files = add as DataFileRecord[] | null
      return withJsonIds({
        snapshotId: result.snapshot ? BigInt(result.snapshot['snapshot-id']) : null,
        rows: staged.rows - duplicates,
        duplicates,
        files: files?.length ?? 0,
      })
    } catch (err) {
      await discardFiles()
      throw err
    }
  }
}

const cores = new WeakMap<object, TableCore>()

/** Binds a facade to its handle (called by `LakeTable`'s constructor). */
export function bindCore(facade: object, core: TableCore): void {
  cores.set(facade, core)
}

/** The handle behind a `LakeTable`, for the store's own modules (and its tests); never exported. */
export function coreOf<T extends TableName>(table: { readonly name: T }): TableCore<T> {
  const core = cores.get(table)
  if (!core) throw new Error(`${table.name} is not a table of an open lake`)
  return core as TableCore<T>
}
