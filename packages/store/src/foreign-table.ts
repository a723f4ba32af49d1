import { resolve } from 'node:path'
import { K2Error, type TimeInput, toAsOf } from '@k2/core'
import { type IcebergField, readForeignRows } from './foreign-read.js'
import { readManifestList } from './iceberg/manifests.js'
import { type MetadataFile, metadataFiles, readMetadataFile } from './iceberg/metadata-files.js'
import { type PlannedFile, planScan } from './iceberg/scan-plan.js'
import { type SnapshotInfo, selectSnapshot, snapshotInfo } from './iceberg/snapshots.js'
import { prefixResolver } from './iceberg/table-location.js'
import type { Snapshot, TableMetadata } from './iceberg/table-metadata.js'
import { assertWritable } from './iceberg/write-support.js'
import { withJsonIds } from './json-ids.js'
import { LakeDuckDB } from './lake-duckdb.js'

export type { IcebergField } from './foreign-read.js'

export interface OpenTableOptions {
  /**
   * URI prefix → local folder, for files the metadata names outside the table's location (e.g. a
   * `write.data.path` elsewhere). The table's own `location` (`s3a://bucket/tbl`,
   * `file:///Users/…/tbl`) always maps to the folder it is opened from.
   */
  pathMap?: Readonly<Record<string, string>>
  /** DuckDB threads for reading Parquet. Default 1. */
  threads?: number
}

/**
 * Which state of the table to read: a snapshot (`snapshot`, as a bigint or a decimal string), the
 * snapshot current at a time (`at`), or a metadata version (`version`: the N of `vN.metadata.json`
 * or `0000N-<uuid>.metadata.json`, read as that version's current state). Without any, the current
 * snapshot of the newest version.
 */
export interface ReadOptions {
  snapshot?: bigint | string
  at?: TimeInput
  version?: number
  /** Columns to read, by name in the schema read (default: all). */
  columns?: readonly string[]
}

/** One metadata version of a table. */
export interface TableVersion {
  version: number
  file: string
  currentSnapshotId: bigint | null
  /** Epoch µs of the commit that wrote it. */
  lastUpdated: number
}

/**
 * An Iceberg v2 table written by another engine (Spark, pyiceberg, Java, Trino…) or by K2, read
 * exactly: 64-bit ids, columns bound by field id, position deletes applied, writer paths mapped to
 * the folder it is opened from. The pyiceberg equivalents: `scan()` is
 * `load_table(…).scan().to_arrow()`, `scan({ snapshot })` is `scan(snapshot_id=…)`.
 *
 * ```ts
 * const t = await openTable('./warehouse/db/bunnies')
 * await t.scan()                                   // rows of the current snapshot
 * await t.scan({ snapshot: 7505300640432048841n })  // time travel (the snapshot's own schema)
 * await t.scan({ version: 3 })                      // the table as v3.metadata.json left it
 * await t.history(); await t.schema()
 * ```
 */
export class IcebergTable {
  /** The table folder (the one holding `metadata/`). */
  readonly dir: string
  readonly #pathMap: Readonly<Record<string, string>>
  readonly #duckdb: LakeDuckDB
  readonly #parsed = new Map<string, Promise<TableMetadata>>()

  /** @internal use `openTable()` */
  constructor(dir: string, opts: OpenTableOptions) {
    this.dir = dir
    this.#pathMap = opts.pathMap ?? {}
    this.#duckdb = new LakeDuckDB(opts.threads ?? 1)
  }

  /** Every metadata version, oldest first. */
  async versions(): Promise<TableVersion[]> {
    const out: TableVersion[] = []
    for (const f of await metadataFiles(this.dir)) {
      const m = await this.#read(f)
      const current = m['current-snapshot-id']
      out.push(
        withJsonIds({
          version: f.version,
          file: f.file,
          currentSnapshotId: current === -1n ? null : current,
          lastUpdated: m['last-updated-ms'] * 1000,
        }),
      )
    }
    return out
  }

  /** Snapshots of a version (default the newest), oldest first, ids as bigints. */
  async history(opts: Pick<ReadOptions, 'version'> = {}): Promise<SnapshotInfo[]> {
    const meta = await this.#metadata(opts.version)
    return meta.snapshots.map((s) => withJsonIds(snapshotInfo(meta, s)))
  }

  /** The current snapshot id (of the newest version), or null for a table without one. */
  async currentSnapshotId(): Promise<bigint | null> {
    const id = (await this.#metadata())['current-snapshot-id']
    return id === -1n ? null : id
  }

  /** The columns a read with these options returns: the snapshot's schema for `snapshot`/`at`, else the version's current one. */
  async schema(opts: ReadOptions = {}): Promise<IcebergField[]> {
    const { meta, snapshot } = await this.#select(opts)
    return this.#fields(meta, snapshot, opts)
  }

  /** The data files a read would read, each with the position-delete files applied to it. */
  async files(opts: ReadOptions = {}): Promise<{ path: string; recordCount: number; deletes: string[] }[]> {
    const { plan } = await this.#plan(opts)
    return plan.map((f) => ({ path: f.path, recordCount: f.file.record_count, deletes: f.deletes }))
  }

  /** Every live row (deletes applied), in file order; see `foreign-read.ts` for how values come out. */
  async scan(opts: ReadOptions = {}): Promise<Record<string, unknown>[]> {
    const { meta, snapshot, plan } = await this.#plan(opts)
    const fields = this.#fields(meta, snapshot, opts)
    return this.#duckdb.with((conn) => readForeignRows(conn, fields, plan))
  }

  /**
   * K2 writes only its own lake tables; appending to a foreign table refuses with `UNSUPPORTED`,
   * naming each feature K2 does not write (delete files, a sort order, partition transforms,
   * column types), and leaves the table unchanged.
   */
  async append(_rows: readonly Record<string, unknown>[]): Promise<never> {
    const meta = await this.#metadata()
    const current = meta.snapshots.find((s) => s['snapshot-id'] === meta['current-snapshot-id'])
    const manifests = current ? await readManifestList(current, this.#resolver(meta)) : []
    assertWritable(`the table at ${this.dir}`, meta, manifests)
    throw new K2Error('INTERNAL', 'unreachable: a foreign table is never writable')
  }

  /** Releases the table's DuckDB. */
  close(): void {
    this.#duckdb.close()
  }

  #read(f: MetadataFile): Promise<TableMetadata> {
    let p = this.#parsed.get(f.file)
    if (!p) {
      p = readMetadataFile(f.file)
      p.catch(() => this.#parsed.delete(f.file))
      this.#parsed.set(f.file, p)
    }
    return p
  }

  async #metadata(version?: number): Promise<TableMetadata> {
    const files = await metadataFiles(this.dir)
    if (version === undefined) return this.#read(files.at(-1) as MetadataFile)
    const f = files.find((x) => x.version === version)
    if (!f) {
      throw new K2Error('NOT_FOUND', `${this.dir} has no metadata version ${version}: it has ${files.map((x) => x.version).join(', ')}`, {
        details: { version },
      })
    }
    return this.#read(f)
  }

  #resolver(meta: TableMetadata) {
    return prefixResolver({ ...this.#pathMap, [meta.location]: this.dir })
  }

  async #select(opts: ReadOptions): Promise<{ meta: TableMetadata; snapshot: Snapshot | undefined }> {
    if (opts.version !== undefined && !Number.isSafeInteger(opts.version)) {
      throw new K2Error('VALIDATION', `version must be an integer metadata version, got ${String(opts.version)}`)
    }
    const meta = await this.#metadata(opts.version)
    const asOf = opts.snapshot !== undefined || opts.at !== undefined ? toAsOf({ snapshot: opts.snapshot, at: opts.at }) : undefined
    return { meta, snapshot: selectSnapshot(meta, this.dir, asOf) }
  }

  async #plan(opts: ReadOptions): Promise<{ meta: TableMetadata; snapshot: Snapshot | undefined; plan: PlannedFile[] }> {
    const { meta, snapshot } = await this.#select(opts)
    return { meta, snapshot, plan: await planScan(snapshot, this.#resolver(meta)) }
  }

  /** pyiceberg's rule: time travel to a snapshot reads it with its own schema; otherwise the current one. */
  #fields(meta: TableMetadata, snapshot: Snapshot | undefined, opts: ReadOptions): IcebergField[] {
    const travel = opts.snapshot !== undefined || opts.at !== undefined
    const id = travel && snapshot?.['schema-id'] !== undefined ? snapshot['schema-id'] : meta['current-schema-id']
    const schema = meta.schemas.find((s) => s['schema-id'] === id) ?? meta.schemas.find((s) => s['schema-id'] === meta['current-schema-id'])
    const fields = ((schema?.fields ?? []) as IcebergField[]).map((f) => ({ ...f }))
    if (!opts.columns) return fields
    return opts.columns.map((name) => {
      const f = fields.find((x) => x.name === name)
      if (!f)
        throw new K2Error(
          'VALIDATION',
          `no column ${JSON.stringify(name)} in this schema: it has ${fields.map((x) => JSON.stringify(x.name)).join(', ')}`,
        )
      return f
    })
  }
}

/** Opens the Iceberg table in folder `path` (the folder holding `metadata/`) for reading. */
export async function openTable(path: string, opts: OpenTableOptions = {}): Promise<IcebergTable> {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw new K2Error('VALIDATION', `invalid table path ${JSON.stringify(String(path))}: pass the folder that holds metadata/`)
  }
  const dir = resolve(path)
  await metadataFiles(dir) // fails now, not at the first read, when this is not a table
  return new IcebergTable(dir, opts)
}
