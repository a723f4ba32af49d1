import { mkdir, stat } from 'node:fs/promises'
import {
  type AsOf,
  type BookSnapshot,
  type Clock,
  type AsOfInput as CoreAsOfInput,
  type FileCatalog,
  K2Error,
  type SnapshotFiles,
  systemClock,
  TABLE_NAMES,
  type TableName,
  type TimeInput,
  toAsOf,
} from '@k2/core'
import {
  type AsOfInput,
  createQueryLayer,
  type QueryEngine,
  type QueryLayer,
  type QueryLayerOptions,
  type SelectQueryBuilder,
  type SqlQuery,
  type TableRef,
  type TimeParam,
} from '@k2/query'
import { createDuckDBEngine } from '@k2/query/duckdb'
import { type BookAtOptions, bookAt } from './book-at.js'
import { type CoverageReport, coverageReport } from './coverage-report.js'
import { LakeDuckDB } from './lake-duckdb.js'
import { LakeTable } from './lake-table.js'
import type { RetentionPolicy } from './maintenance.js'
import { checkLakeRoot, checkTableName, inside } from './paths.js'
import { Replay } from './replay/replay.js'
import type { ReplayOptions } from './replay/replay-options.js'
import { coreOf, TableCore } from './table-core.js'

export interface LakeOptions {
  /** DuckDB worker threads for writing and reading Parquet. Default 1. */
  threads?: number
  /** Time source (epoch µs) for commit times, expiry and retention; injectable for tests. */
  clock?: Clock
  /** Commit attempts after losing a race to another writer before COMMIT_CONFLICT. Default 100. */
  maxCommitRetries?: number
  /** Retention policies per table, applied by `lake.applyRetention()`. */
  retention?: Partial<Record<TableName, RetentionPolicy[]>>
  /**
   * The query layer behind `lake.query()` and `lake.sql`: pool, timeout, row cap, and the engine
   * (default: a native DuckDB from `@k2/query/duckdb`, made on the first query and closed with the lake).
   */
  query?: Omit<QueryLayerOptions, 'engine'> & { engine?: QueryEngine | Promise<QueryEngine> }
}

/**
 * A lake: a directory of Iceberg v2 tables (`<lake>/<ns>/<tbl>`), one per medallion table, each
 * created on first use, and typed queries over them.
 *
 * ```ts
 * const lake = await openLake('./k2-lake')
 * const rows = await lake.query('silver.trades').where({ symbol: 'BTC-USDT' }).between('ts', from, to).limit(100).rows()
 * const r = await lake.sql`select count(*) as n from ${lake.ref('silver.trades')} where price > ${100}`
 * ```
 */
export class Lake implements FileCatalog {
  readonly root: string
  readonly #tables = new Map<TableName, Promise<LakeTable>>()
  readonly #duckdb: LakeDuckDB
  readonly #opts: LakeOptions
  #queries: QueryLayer | undefined
  readonly #files = new Map<string, SnapshotFiles>()

  /** @internal use `openLake()` */
  constructor(root: string, opts: LakeOptions) {
    this.root = root
    this.#opts = opts
    this.#duckdb = new LakeDuckDB(opts.threads ?? 1)
  }

  /** Opens a table (creating it, with its Iceberg metadata, on first use). */
  async table<T extends TableName>(name: T): Promise<LakeTable<T>> {
    const checked = checkTableName(name) as T
    let t = this.#tables.get(checked)
    if (!t) {
      const [ns, tbl] = checked.split('.') as [string, string]
      const clock = this.#opts.clock ?? systemClock
      const core = new TableCore(
        { duckdb: this.#duckdb, nowMs: () => Math.floor(clock() / 1000), maxRetries: this.#opts.maxCommitRetries ?? 100 },
        checked,
        inside(this.root, ns, tbl),
      )
      const table = new LakeTable(core, this.#opts.retention?.[checked] ?? [])
      t = core.current().then(() => table) // creates it, unless the lake is read-only
      t.catch(() => this.#tables.delete(checked))
      this.#tables.set(checked, t)
    }
    return t as Promise<LakeTable<T>>
  }

  /** Whether `name` has been created in this lake (unlike `table()`, this never creates it). */
  async hasTable(name: TableName): Promise<boolean> {
    const [ns, tbl] = checkTableName(name).split('.') as [string, string]
    return (await stat(inside(this.root, ns, tbl, 'metadata')).catch(() => null)) !== null
  }

  /** `FileCatalog`: the data files of `table` at `asOf` (the current snapshot by default). */
  async files(table: TableName, asOf?: AsOf | CoreAsOfInput): Promise<SnapshotFiles> {
    const t = await this.table(table)
    const pick = asOf === undefined ? undefined : toAsOf(asOf)
    if (pick?.at !== undefined) return t.files(pick)
    // A snapshot's file list never changes: decode its manifests once (point queries need this cheap).
    const id = pick?.snapshot ?? (await t.currentSnapshotId())
    if (id === null) return t.files(pick)
    const key = `${table}:${id}`
    let files = this.#files.get(key)
    if (!files) {
      files = await t.files({ snapshot: id })
      if (this.#files.size >= 1024) this.#files.clear()
      this.#files.set(key, files)
    }
    return files
  }

  /**
   * `FileCatalog`: checks data files of a snapshot before the query layer reads them — present,
   * of the size their manifest records, and matching the checksum K2 wrote them with.
   */
  async checkFiles(table: TableName, snapshotId: bigint | null, paths: readonly string[]): Promise<void> {
    const snap = await this.files(table, snapshotId === null ? undefined : { snapshotId })
    const sizes = new Map(snap.files.map((f) => [f.path, f.fileSizeBytes]))
    await coreOf(await this.table(table)).checkFiles(snapshotId, paths, sizes)
  }

  /** The query layer over this lake, made on first use with `LakeOptions.query`. */
  get queries(): QueryLayer {
    if (!this.#queries) {
      const { engine, ...rest } = this.#opts.query ?? {}
      this.#queries = createQueryLayer(this, { ...rest, engine: engine ?? createDuckDBEngine() })
    }
    return this.#queries
  }

  /** A typed query on one table; see the query guide. Every value becomes a bound parameter. */
  query<T extends TableName>(table: T): SelectQueryBuilder<T> {
    return this.queries.query(table)
  }

  /** Raw SQL: every interpolation is bound; `lake.ref(table)` is the only way to splice a table. */
  sql(strings: TemplateStringsArray, ...values: unknown[]): SqlQuery {
    return this.queries.sql(strings, ...values)
  }

  /** A table at a snapshot (the current one by default) for a `lake.sql` template. */
  ref(table: TableName, asOf?: AsOfInput): TableRef {
    return this.queries.ref(table, asOf)
  }

  /** A time bound as TIMESTAMPTZ in a `lake.sql` template (a Date is bound so by itself). */
  time(input: TimeInput): TimeParam {
    return this.queries.time(input)
  }

  /**
   * After copying or moving a lake (`cp -r`, `mv`, a restored backup), rewrites each table's paths
   * to where it is now, as Iceberg's `rewrite_table_path` does: reads work before through a prefix
   * mapping, but writes and maintenance refuse with `TABLE_MOVED` until this runs. The original is
   * never touched. Returns the tables it rewrote (none when nothing was moved).
   */
  async relocate(): Promise<{ table: TableName; from: string; to: string; version: number }[]> {
    const out: { table: TableName; from: string; to: string; version: number }[] = []
    for (const name of TABLE_NAMES) {
      const [ns, tbl] = name.split('.') as [string, string]
      // Only tables that exist: relocating must not create the others.
      if (!(await stat(inside(this.root, ns, tbl, 'metadata')).catch(() => null))) continue
      const moved = await (await this.table(name)).relocate()
      if (moved) out.push({ table: name, from: moved.from, to: moved.to, version: moved.version })
    }
    this.#files.clear()
    return out
  }

  /** Applies the retention policies given at `openLake` to every table that has one. */
  async applyRetention(): Promise<Partial<Record<TableName, { deletedRows: number }>>> {
    const out: Partial<Record<TableName, { deletedRows: number }>> = {}
    for (const [name, policies] of Object.entries(this.#opts.retention ?? {}) as [TableName, RetentionPolicy[]][]) {
      out[name] = await (await this.table(name)).applyRetention(policies)
    }
    return out
  }

  /**
   * Whether a day is complete for one exchange and symbol, from bronze.coverage (written by
   * `pipe`): subscribed the whole day and every gap healed. See {@link CoverageReport}.
   */
  async coverage(q: { exchange: string; symbol: string; day: TimeInput }): Promise<CoverageReport> {
    return coverageReport(coreOf(await this.table('bronze.coverage')), q)
  }

  /**
   * Replays the lake: trades, quotes, book events, candles (at their close) and disconnect markers
   * in exchange-time order, pinned to the current snapshots (or `opts.snapshot`), in constant
   * memory — see the replay guide.
   */
  replay(opts: ReplayOptions): Replay {
    return new Replay(
      { duckdb: this.#duckdb, files: (t, asOf) => this.files(t, asOf), checkFiles: (t, id, paths) => this.checkFiles(t, id, paths) },
      opts,
    )
  }

  /**
   * The book of `symbol` at `at` (receive time) rebuilt from silver.book: the latest snapshot stored by
   * then plus the deltas that continued it; undefined before the first snapshot. See `bookAt`.
   */
  book(exchange: string, symbol: string, at: TimeInput, options?: BookAtOptions): Promise<BookSnapshot | undefined> {
    return bookAt(this, exchange, symbol, at, options)
  }

  /** Releases the lake's DuckDB instances; resolves once running queries have finished. */
  async close(): Promise<void> {
    this.#duckdb.close()
    await this.#queries?.close()
  }
}

/** Opens the lake at `path`, creating the directory if it is missing. */
export async function openLake(path: string, opts: LakeOptions = {}): Promise<Lake> {
  const root = checkLakeRoot(path)
  try {
    await mkdir(root, { recursive: true })
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory')
  } catch (err) {
    throw new K2Error('IO', `cannot open the lake at ${root} (${(err as Error).message}): pass a writable directory path`, { cause: err })
  }
  return new Lake(root, opts)
}
