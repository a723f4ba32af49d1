import { unlink } from 'node:fs/promises'
import type { DuckDBConnection } from '@duckdb/node-api'
import { commitSnapshot } from '../iceberg/commit.js'
import { fromUri } from '../iceberg/file-uri.js'
import type { DataFileRecord } from '../iceberg/manifest-schemas.js'
import type { LiveFile } from '../iceberg/manifests.js'
import { withJsonIds } from '../json-ids.js'
import type { CommitResult, TableCore } from '../table-core.js'
import { boundsMeet, dropDuplicates, type KeyRange } from '../write/dedup.js'
import { writeDataFiles } from '../write/parquet-files.js'
import { stageFromFiles } from '../write/rows-in-duckdb.js'
import type { Staged } from '../write/staged-rows.js'

/** Numeric ids of a chunk (when all are integers): files whose ranges do not meet need no dedup read. */
type IdRange = { min: bigint; max: bigint }
type Written = { record: DataFileRecord; input: string; ids: IdRange | null }

/**
 * An import's rows written chunk by chunk and committed once. Each chunk is deduplicated (tables
 * with a unique key: silver.trades on exchange, symbol, id) against the table's live files and the
 * files this import already wrote, then written to Parquet and dropped from memory, so memory
 * holds one chunk whatever the import's size. `commit()` adds every file in ONE append snapshot;
 * on a lost race the files are deduplicated against what the winner added, as `commitStaged`
 * does. `discard()` deletes what was written: nothing of a failed import is ever visible.
 */
export class ChunkedCommit {
  readonly #core: TableCore
  readonly #conn: DuckDBConnection
  #base: LiveFile[] | null = null
  #written: Written[] = []
  #finishing: Promise<void>[] = []
  rows = 0
  duplicates = 0

  constructor(core: TableCore, conn: DuckDBConnection) {
    this.#core = core
    this.#conn = conn
  }

  get spec(): TableCore['spec'] {
    return this.#core.spec
  }

  /** The table's directory (its data files go under `data/`). */
  get dir(): string {
    return this.#core.dir
  }

  /**
   * Whether a live file of the table, or a file this import wrote, could hold a key of a new file
   * in `partition` with these key bounds (column → string min/max) and numeric ids: judged on
   * partitions and manifest bounds, and for this import's own files on their numeric id ranges.
   */
  async couldHold(partition: Record<string, unknown>, keyBounds: Map<string, KeyRange>, ids: IdRange): Promise<boolean> {
    await this.settled()
    this.#base ??= await this.#core.liveFiles()
    const spec = this.#core.spec
    const same = (f: DataFileRecord) => spec.partition.every((p) => f.partition[p.name] === partition[p.name])
    if (this.#base.some((l) => same(l.file) && boundsMeet(spec, l.file, keyBounds))) return true
    return this.#written.some((w) => same(w.record) && (!w.ids || (w.ids.min <= ids.max && ids.min <= w.ids.max)))
  }

  /**
   * Adds a data file written elsewhere (the import's direct path), with its numeric id range, while
   * it is still being made durable and named: the next chunk's COPY runs meanwhile. Everything
   * that looks at the written files first waits for it (`settled`).
   */
  addFile(finishing: Promise<DataFileRecord>, input: string, ids: IdRange | null): void {
    const added = finishing.then((record) => {
      this.#written.push({ record, input, ids })
      this.rows += Number(record.record_count)
    })
    added.catch(() => {}) // handled where it is awaited
    this.#finishing.push(added)
  }

  /** Waits for the files `addFile` is still finishing; fails if one failed. */
  async settled(): Promise<void> {
    const pending = this.#finishing
    this.#finishing = []
    await Promise.all(pending)
  }

  /** Snapshot summaries of the table (for `k2.import.*` entries). */
  async summaries(): Promise<Record<string, string>[]> {
    const { metadata } = await this.#core.current()
    return metadata.snapshots.map((s) => (s.summary ?? {}) as Record<string, string>)
  }

  #own(ids: IdRange | null = null): LiveFile[] {
    const overlaps = (w: { ids: IdRange | null }) => !ids || !w.ids || (w.ids.min <= ids.max && ids.min <= w.ids.max)
    return this.#written.filter(overlaps).map(({ record }) => ({
      file: record,
      path: fromUri(record.file_path),
      snapshotId: -1n,
      sequenceNumber: 0,
      fileSequenceNumber: 0,
    }))
  }

  /** Deduplicates `staged`, writes it to Parquet files and drops its temp table. */
  async add(staged: Staged, input: string, ids: IdRange | null = null): Promise<void> {
    await this.settled()
    this.#base ??= await this.#core.liveFiles()
    const ctx = { table: this.#core.name, snapshotId: null }
    try {
      const dropped = this.#core.spec.uniqueKey
        ? await dropDuplicates(this.#conn, this.#core.spec, staged, [...this.#base, ...this.#own(ids)], ctx)
        : 0
      staged.mayHaveDuplicates = false
      this.duplicates += dropped
      this.rows += staged.rows - dropped
      if (staged.rows - dropped > 0) {
        for (const record of await writeDataFiles(this.#conn, this.#core.spec, staged, this.#core.dir))
          this.#written.push({ record, input, ids })
      }
    } finally {
      if (staged.table) await this.#conn.run(`DROP TABLE IF EXISTS ${staged.table}`)
    }
  }

  /** Deletes the files written for `input` (or all), e.g. when the input was already imported. */
  async discard(input?: string): Promise<void> {
    await this.settled().catch(() => {}) // a file that failed to finish is an orphan, which vacuum removes
    const gone = this.#written.filter((w) => input === undefined || w.input === input)
    this.#written = this.#written.filter((w) => !gone.includes(w))
    for (const { record } of gone) {
      this.rows -= Number(record.record_count)
      await unlink(fromUri(record.file_path)).catch(() => {})
    }
  }

  /** Adds every written file in one snapshot; a snapshot id of null when nothing was written. */
  async commit(summary: Record<string, string>): Promise<CommitResult> {
    await this.settled()
    if (this.#written.length === 0) return { snapshotId: null, rows: 0, duplicates: this.duplicates, files: 0 }
    const baseSet = new Set((this.#base ?? []).map((l) => l.file.file_path))
    const checked = new Set<string>()
    try {
      const result = await commitSnapshot(this.#core, async (_base, live) => {
        const fresh = live.filter((l) => !baseSet.has(l.file.file_path) && !checked.has(l.file.file_path))
        for (const l of fresh) checked.add(l.file.file_path)
        if (fresh.length > 0 && this.#core.spec.uniqueKey) await this.#againstWinner(fresh)
        return { operation: 'append', add: this.#written.map((w) => w.record), remove: new Set<string>(), summary }
      })
      return withJsonIds({
        snapshotId: result.snapshot ? BigInt(result.snapshot['snapshot-id']) : null,
        rows: this.rows,
        duplicates: this.duplicates,
        files: this.#written.length,
      })
    } catch (err) {
      await this.discard()
      throw err
    }
  }

  /** After a lost race: rewrites each own file without the rows another commit added meanwhile. */
  async #againstWinner(fresh: LiveFile[]): Promise<void> {
    const ctx = { table: this.#core.name, snapshotId: null }
    const next: Written[] = []
    for (const w of this.#written) {
      const [own] = this.#own().filter((l) => l.file === w.record)
      const staged = await stageFromFiles(this.#conn, this.#core.spec, [own as LiveFile], ctx)
      const dropped = await dropDuplicates(this.#conn, this.#core.spec, staged, fresh, ctx)
      if (dropped === 0) {
        next.push(w)
      } else {
        this.duplicates += dropped
        this.rows -= dropped
        if (staged.rows - dropped > 0)
          for (const record of await writeDataFiles(this.#conn, this.#core.spec, staged, this.#core.dir))
            next.push({ record, input: w.input, ids: w.ids })
        await unlink(fromUri(w.record.file_path)).catch(() => {})
      }
      if (staged.table) await this.#conn.run(`DROP TABLE IF EXISTS ${staged.table}`)
    }
    this.#written = next
  }
}
