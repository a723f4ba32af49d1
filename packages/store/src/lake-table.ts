import { type AsOfInput, type DataFile, type SnapshotFiles, type TableName, type Tables, toAsOf, toSnapshotId } from '@k2/core'
import { type Relocation, relocateTable } from './iceberg/relocate-table.js'
import { type SnapshotInfo, snapshotInfo } from './iceberg/snapshots.js'
import type { Snapshot, Version } from './iceberg/table-metadata.js'
import type { TableSpec } from './iceberg/table-spec.js'
import { withJsonIds } from './json-ids.js'
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
import { type ReplaceOptions, type ReplaceResult, replaceRows } from './replace-rows.js'
import { bindCore, type CommitResult, type TableCore } from './table-core.js'
import { TableWriter, type WriterOptions } from './table-writer.js'
import type { WriterInput } from './write/event-rows.js'
import { giveBack } from './write/spare-batches.js'

const snapshotIdOf = (s: Snapshot | undefined): bigint | null => (s ? BigInt(s['snapshot-id']) : null)

/** One lake table: Iceberg metadata under `<lake>/<ns>/<tbl>/metadata`, Parquet under `data/`. */
export class LakeTable<T extends TableName = TableName> {
  readonly name: T
  readonly spec: TableSpec
  readonly dir: string
  readonly #core: TableCore<T>
  readonly #retention: readonly RetentionPolicy[]

  /** @internal use `lake.table(name)` */
  constructor(core: TableCore<T>, retention: readonly RetentionPolicy[] = []) {
    this.name = core.name
    this.spec = core.spec
    this.dir = core.dir
    this.#core = core
    this.#retention = retention
    bindCore(this, core)
  }

  /** The latest committed metadata version: its number, its `vN.metadata.json` and the parsed metadata. */
  current(): Promise<Version> {
    return this.#core.current()
  }

  /**
   * Appends rows in one commit: the rows are durable (fsynced and committed) when it resolves.
   * Prefer `writer()` for streams of rows; this is the single-batch form.
   */
  async append(input: readonly WriterInput<T>[]): Promise<CommitResult> {
    const batch = this.#core.newBatch(input.length)
    try {
      this.#core.addTo(batch, input)
      return await this.#core.commitBatch(batch)
    } finally {
      giveBack(batch)
    }
  }

  /**
   * Replaces rows by key in ONE Iceberg `overwrite` commit: every live row whose `key` columns equal
   * those of a new row is removed — files holding such rows are rewritten without them, files
   * without are untouched — and the new rows are added. Values are checked as by `append()`
   * (`VALIDATION`, nothing written); two new rows with one key are `VALIDATION` too. `summary`
   * entries go into the snapshot summary (`history()` shows them). On a lost race the commit is
   * retried against what the winner committed, whose rows are kept unless a new row has their key.
   *
   * ```ts
   * await gold.replaceRows(candles, { key: ['exchange', 'symbol', 'timeframe', 'start', 'source'], summary: { 'k2.rollup.silver-snapshot-id': '123' } })
   * (await gold.history()).at(-1)?.summary['k2.rollup.silver-snapshot-id'] // '123'
   * ```
   */
  replaceRows(input: readonly WriterInput<T>[], opts: ReplaceOptions): Promise<ReplaceResult> {
    return replaceRows(this.#core, input, opts).then(withJsonIds)
  }

  /** The data files of a snapshot with partition values and decoded column bounds (`FileCatalog`). */
  async files(asOf?: AsOfInput): Promise<SnapshotFiles> {
    const snap = await this.#core.snapshot(asOf === undefined ? undefined : toAsOf(asOf))
    const live = await this.#core.filesOf(snap)
    return {
      table: this.name,
      snapshotId: snap ? snap['snapshot-id'] : null,
      files: live.map((l) => this.#core.dataFile(l)),
    }
  }

  /**
   * Every row of the table at the current snapshot, or `asOf` a snapshot (`{ snapshot: id }`, a
   * bigint id) or a time (`{ at: time }`, a Date, an ISO string); a plain number is refused.
   */
  async scan(asOf?: AsOfInput): Promise<Tables[T][]> {
    const snap = await this.#core.snapshot(asOf === undefined ? undefined : toAsOf(asOf))
    return (await this.#core.readRows(await this.#core.filesOf(snap), snapshotIdOf(snap))) as Tables[T][]
  }

  /**
   * What changed between two snapshots (`from` exclusive, `to` inclusive; `to` defaults to the
   * current one): the data files live at `to` that were not live at `from`, and their rows —
   * "what is new since my last run". Files rewritten by compaction count as new.
   */
  async changes(
    from: bigint | string,
    to?: bigint | string,
  ): Promise<{ fromSnapshotId: bigint; toSnapshotId: bigint | null; files: DataFile[]; rows: Tables[T][] }> {
    const fromId = toSnapshotId(from)
    const before = new Set((await this.#core.liveFiles({ snapshot: fromId })).map((l) => l.file.file_path))
    const toSnap = await this.#core.snapshot(to === undefined ? undefined : { snapshot: toSnapshotId(to) })
    const added = (await this.#core.filesOf(toSnap)).filter((l) => !before.has(l.file.file_path))
    return {
      fromSnapshotId: fromId,
      toSnapshotId: toSnap ? BigInt(toSnap['snapshot-id']) : null,
      files: added.map((l) => this.#core.dataFile(l)),
      rows: (await this.#core.readRows(added, snapshotIdOf(toSnap))) as Tables[T][],
    }
  }

  /** Snapshots, oldest first: id, time, operation, rows and files added/removed, totals. */
  async history(): Promise<SnapshotInfo[]> {
    const { metadata } = await this.#core.current()
    return metadata.snapshots.map((s) => withJsonIds(snapshotInfo(metadata, s)))
  }

  /** Expires old snapshots and deletes the files only they referenced. See {@link ExpireOptions}. */
  expireSnapshots(opts?: ExpireOptions): Promise<ExpireResult> {
    return expireSnapshots(this.#core, opts)
  }

  /** Deletes rows older than the policies' ages in one overwrite commit (default: the lake's policies). */
  applyRetention(policies?: RetentionPolicy | RetentionPolicy[]): Promise<{ deletedRows: number; snapshotId: bigint | null }> {
    const list = policies === undefined ? [...this.#retention] : Array.isArray(policies) ? policies : [policies]
    return applyRetention(this.#core, list).then(withJsonIds)
  }

  /** Rewrites each partition's small files into one larger file; the rows do not change. */
  compact(opts?: CompactOptions): Promise<{ rewrittenFiles: number; addedFiles: number; snapshotId: bigint | null }> {
    return compact(this.#core, opts).then(withJsonIds)
  }

  /** Deletes unreferenced files older than a grace period (default "3d"); `dryRun` only lists them. */
  removeOrphans(opts?: { olderThan?: string | number; dryRun?: boolean }): Promise<{ deleted: string[] }> {
    return removeOrphans(this.#core, opts)
  }

  /** A buffered writer: rows are durable once `flush()` (or a size/time flush) resolves. */
  writer(opts?: WriterOptions): TableWriter<T> {
    return new TableWriter(this.#core, opts)
  }

  /**
   * Where the table's metadata says it lives, the folder it was opened at, and whether they differ
   * (a copied or moved lake: reads map the paths; writes and maintenance refuse until `relocate()`).
   */
  location(): Promise<{ location: string; dir: string; moved: boolean }> {
    return this.#core.location()
  }

  /** Rewrites this table's paths to its folder after a copy or move (see `lake.relocate()`); null when not moved. */
  relocate(): Promise<Relocation | null> {
    return relocateTable(this.#core)
  }

  /** The current snapshot id, or null before the first commit. */
  currentSnapshotId(): Promise<bigint | null> {
    return this.#core.currentSnapshotId()
  }
}
