import { randomUUID } from 'node:crypto'
import { mkdir, rename, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { Scalar } from '@k2/core'
import { fsyncDir } from '../iceberg/durable-fs.js'
import type { DataFileRecord } from '../iceberg/manifest-schemas.js'
import { partitionValue } from '../iceberg/partition-transforms.js'
import type { TableSpec } from '../iceberg/table-spec.js'
import type { KeyRange } from '../write/dedup.js'
import { dataFilePath, finishDataFile, parquetOptions } from '../write/parquet-files.js'
import { sqlString } from '../write/sql-literal.js'
import type { ColumnStats } from '../write/staged-rows.js'
import type { ChunkedCommit } from './chunked-commit.js'
import { checkOrder } from './order-check.js'

/**
 * The fast lane of an import: one COPY takes a chunk's CSV straight to a Parquet data file, with
 * no staging of its rows in DuckDB. It is optimistic, not trusting: a row failing the format's
 * checks raises inside the COPY, and the file written is read back to check that its rows are in
 * the table's sort order, that its ids rise strictly (no key repeats inside it), that it lies in
 * one partition, and that no live or earlier file could hold its keys. When anything fails, the
 * file is deleted and the chunk takes the careful path (`stageChunk`), which names bad rows,
 * sorts, splits and deduplicates — so the fast lane changes speed, never results.
 */
export type DirectChunk =
  /** Written: the file is still being made durable (`finishing`), while the next chunk is read. */
  | { finishing: Promise<DataFileRecord>; rows: number; ids: { min: bigint; max: bigint } }
  /** Why the chunk needs the careful path. */
  | { miss: 'rejected' | 'empty' | 'unsorted' | 'repeats' | 'partitions' | 'overlap' }

/**
 * `select` yields the table's columns and raises on a bad row (see `guardedCsv` in import-files.ts).
 * `constants` names string columns with one value on every row (a file's venue and symbol): they
 * are written from a one-value ENUM, which the Parquet writer stores as strings without hashing
 * each value (a fifth of the COPY's time on a trades file), and that value is their bounds. A row
 * with another value fails the cast, and the chunk takes the careful path.
 */
export async function writeChunkDirect(
  conn: DuckDBConnection,
  commit: ChunkedCommit,
  select: string,
  constants: Record<string, string> = {},
): Promise<DirectChunk> {
  const spec = commit.spec
  const casts = Object.entries(constants).map(([c, v]) => `CAST("${c}" AS ENUM(${sqlString(v)})) AS "${c}"`)
  const source = casts.length ? `SELECT * REPLACE (${casts.join(', ')}) FROM (${select})` : select
  const data = join(commit.dir, 'data')
  await mkdir(data, { recursive: true })
  const temp = join(data, `import-${randomUUID()}.parquet`)
  let moved = false
  try {
    let written: Record<string, unknown>
    try {
      // A column with over 1000 distinct values in a row group (ids, prices, times) is written plain
      // at once instead of after a dictionary was built and dropped: a sixth of the COPY, and ZSTD
      // makes the file no larger.
      const options = parquetOptions(spec, ', RETURN_STATS, DICTIONARY_SIZE_LIMIT 1000')
      const reader = await conn.runAndReadAll(`COPY (${source}) TO ${sqlString(temp)} ${options}`)
      written = reader.getRowObjectsJS()[0] ?? {}
    } catch {
      return { miss: 'rejected' } // a bad row, or one DuckDB could not parse: the careful path says which
    }
    const rows = Number(written.count ?? 0)
    if (rows === 0) return { miss: 'empty' }
    const stats = fileStats(spec, written.column_statistics, rows)
    if (!stats) return { miss: 'rejected' }
    for (const [c, v] of Object.entries(constants)) {
      const st = stats.get(c)
      if (st && st.nulls === 0) [st.min, st.max] = [v, v] // RETURN_STATS leaves ENUM columns without bounds
    }
    const times = spec.columns.filter((c) => c.type === 'timestamptz').map((c) => c.name)
    // Sort columns holding one value cannot be out of order (exchange and symbol of a one-instrument file).
    const sortBy = spec.sortBy.filter((c) => {
      const s = stats.get(c)
      return !(s && s.nulls === 0 && s.min !== null && s.min === s.max)
    })
    const check = await checkOrder(conn, {
      source: `read_parquet(${sqlString(temp)}, file_row_number = true)`,
      order: 'file_row_number',
      sortBy,
      id: true,
      times,
    })
    if (!check.sorted) return { miss: 'unsorted' }
    if (!check.ids?.rise) return { miss: 'repeats' }
    for (const t of times) {
      const s = stats.get(t)
      const b = check.times.get(t)
      if (s) [s.min, s.max] = b ? [b.min, b.max] : [null, null]
    }
    const partition: Record<string, Scalar | null> = {}
    for (const p of spec.partition) {
      const s = stats.get(p.sourceColumn)
      const lo = s?.min ?? null
      const hi = s?.max ?? null
      if (!s || s.nulls > 0 || lo === null || hi === null) return { miss: 'partitions' }
      const value = partitionValue(p.transform, lo)
      if (value !== partitionValue(p.transform, hi)) return { miss: 'partitions' }
      partition[p.name] = value
    }
    const keyBounds = new Map<string, KeyRange>()
    for (const k of spec.uniqueKey ?? []) {
      const s = stats.get(k)
      if (s?.min !== null && s?.min !== undefined && s.max !== null) keyBounds.set(k, { min: String(s.min), max: String(s.max) })
    }
    const ids = { min: check.ids.min, max: check.ids.max }
    if (await commit.couldHold(partition, keyBounds, ids)) return { miss: 'overlap' }
    const path = dataFilePath(spec, commit.dir, partition)
    await mkdir(dirname(path), { recursive: true })
    await rename(temp, path)
    moved = true
    const finishing = finishDataFile(spec, path, partition, stats).then(async (record) => {
      await fsyncDir(dirname(path))
      return record
    })
    return { finishing, rows, ids }
  } finally {
    if (!moved) await unlink(temp).catch(() => {})
  }
}

/**
 * The per-column statistics DuckDB returns for a file it wrote (`RETURN_STATS`: a map from the
 * quoted column name to min, max, null_count and has_nan as text), typed by the table's columns.
 * Strings and numbers are exact (doubles print in shortest round-trip form); booleans get no
 * bounds, as in every K2 file; times are filled in from the read-back check, as epoch µs. Null when
 * a double holds NaN, which the text does not count.
 */
function fileStats(spec: TableSpec, raw: unknown, rows: number): Map<string, ColumnStats> | null {
  const byName = new Map<string, Map<string, string>>()
  for (const { key, value } of (raw ?? []) as { key: string; value: { key: string; value: string }[] }[]) {
    const name = key.startsWith('"') ? key.slice(1, -1).replaceAll('""', '"') : key
    byName.set(name, new Map(value.map((e) => [e.key, e.value])))
  }
  const out = new Map<string, ColumnStats>()
  for (const c of spec.columns) {
    const m = byName.get(c.name)
    if (!m) return null
    if (m.get('has_nan') === 'true') return null
    const nulls = Number(m.get('null_count') ?? 0)
    const typed = (v: string | undefined): Scalar | null =>
      v === undefined || c.type === 'boolean' || c.type === 'timestamptz' ? null : c.type === 'string' ? v : Number(v)
    out.set(c.name, { count: rows - nulls, nulls, nans: 0, min: typed(m.get('min')), max: typed(m.get('max')) })
  }
  return out
}
