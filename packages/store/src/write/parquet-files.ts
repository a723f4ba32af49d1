import { randomUUID } from 'node:crypto'
import { mkdir, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { Scalar } from '@k2/core'
import { fsyncDir, fsyncFile, writeError } from '../iceberg/durable-fs.js'
import { toUri } from '../iceberg/file-uri.js'
import type { DataFileRecord, KV } from '../iceberg/manifest-schemas.js'
import { partitionPathValue } from '../iceberg/partition-transforms.js'
import { compareStrings, encodeValue } from '../iceberg/single-value.js'
import { icebergSchema, type TableSpec } from '../iceberg/table-spec.js'
import { nameByChecksum } from './data-file-checks.js'
import { sqlString } from './sql-literal.js'
import { type ColumnStats, decodeExpr, type Staged, sortExpr, stagedSource } from './staged-rows.js'

/**
 * Staged rows → one ZSTD Parquet file per partition (sorted, with Iceberg field ids), fsynced, and
 * the manifest entry of each file with exact column statistics computed from the rows written.
 */

/** `SELECT` list that decodes staged columns into the table's columns, in schema order. */
export function selectList(staged: Staged, alias = ''): string {
  return staged.columns.map((c) => `${decodeExpr(c, alias, true)} AS "${c.name}"`).join(', ')
}

function orderBy(spec: TableSpec, staged: Staged): string {
  return spec.sortBy.map((c) => sortExpr(staged.columns.find((x) => x.name === c) as Staged['columns'][number])).join(', ')
}

/** Exact per-partition statistics of the staged rows, one aggregate query for all partitions. */
async function statistics(conn: DuckDBConnection, staged: Staged): Promise<Map<number, Map<string, ColumnStats>>> {
  const aggs: string[] = ['count(*) AS n']
  staged.columns.forEach((c, i) => {
    const ref = `"${c.name}"`
    aggs.push(`count(${ref}) AS c${i}`)
    if (c.kind === 'code') aggs.push(`list(DISTINCT ${ref}) AS d${i}`)
    else if (c.kind === 'numid')
      return // string bounds were taken in JS while staging
    else if (c.kind === 'double') {
      aggs.push(`min(${ref}) FILTER (WHERE NOT isnan(${ref})) AS lo${i}`, `max(${ref}) FILTER (WHERE NOT isnan(${ref})) AS hi${i}`)
      aggs.push(`count(*) FILTER (WHERE isnan(${ref})) AS nan${i}`)
    } else if (c.kind === 'ts') aggs.push(`epoch_us(min(${ref})) AS lo${i}`, `epoch_us(max(${ref})) AS hi${i}`)
    else if (c.kind !== 'bool') aggs.push(`min(${ref}) AS lo${i}`, `max(${ref}) AS hi${i}`)
  })
  const reader = await conn.runAndReadAll(`SELECT __p, ${aggs.join(', ')} FROM ${stagedSource(staged, null)} GROUP BY __p`)
  const out = new Map<number, Map<string, ColumnStats>>()
  for (const r of reader.getRowObjectsJS()) {
    const n = Number(r.n)
    const cols = new Map<string, ColumnStats>()
    staged.columns.forEach((c, i) => {
      const count = Number(r[`c${i}`])
      let min: Scalar | null = null
      let max: Scalar | null = null
      if (c.kind === 'code') {
        for (const v of (r[`d${i}`] as (string | null)[] | null) ?? []) {
          const s = v ?? undefined // ENUM values come back as strings
          if (s === undefined) continue
          if (min === null || compareStrings(s, min as string) < 0) min = s
          if (max === null || compareStrings(s, max as string) > 0) max = s
        }
      } else if (c.kind === 'numid') {
        const b = c.bounds?.get(Number(r.__p))
        min = b?.min ?? null
        max = b?.max ?? null
      } else if (c.kind !== 'bool') {
        const lo = r[`lo${i}`]
        const hi = r[`hi${i}`]
        min = lo === null || lo === undefined ? null : typeof lo === 'bigint' ? Number(lo) : (lo as Scalar)
        max = hi === null || hi === undefined ? null : typeof hi === 'bigint' ? Number(hi) : (hi as Scalar)
      }
      cols.set(c.name, { count, nulls: n - count, nans: c.kind === 'double' ? Number(r[`nan${i}`]) : 0, min, max })
    })
    out.set(Number(r.__p), cols)
  }
  return out
}

function kv<V>(entries: [number, V][]): KV<V>[] {
  return entries.map(([key, value]) => ({ key, value }))
}

// Long strings (raw frames, messages) would bloat every manifest entry: bounds keep a prefix, as
// Java's truncate(16) does; a truncated upper bound is bumped so it still exceeds every value.
const MAX_BOUND_CHARS = 64

/** A prefix is ≤ the string, so it is a valid lower bound. */
export function truncateLower(v: string): string {
  const cps = Array.from(v)
  return cps.length <= MAX_BOUND_CHARS ? v : cps.slice(0, MAX_BOUND_CHARS).join('')
}

/** A prefix with its last code point incremented is > every string with that prefix; null if none exists. */
export function truncateUpper(v: string): string | null {
  const cps = Array.from(v)
  if (cps.length <= MAX_BOUND_CHARS) return v
  const head = cps.slice(0, MAX_BOUND_CHARS)
  while (head.length > 0) {
    const last = (head.pop() as string).codePointAt(0) as number
    let next = last + 1
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000 // skip surrogates
    if (next <= 0x10ffff) return head.join('') + String.fromCodePoint(next)
  }
  return null
}

/**
 * Writes one Parquet file per partition of the staged rows and returns their manifest records. A
 * file system that refuses (read-only, full) is K2Error IO; files already written are the caller's
 * to discard, as for any failed commit.
 */
export async function writeDataFiles(conn: DuckDBConnection, spec: TableSpec, staged: Staged, tableDir: string): Promise<DataFileRecord[]> {
  try {
    return await writeFiles(conn, spec, staged, tableDir)
  } catch (err) {
    const fs =
      (err as NodeJS.ErrnoException).code !== undefined ||
      /^IO Error|permission denied|no space left|read-only file/i.test(String((err as Error).message))
    throw fs ? writeError(err, join(tableDir, 'data')) : err
  }
}

/** The COPY options of every K2 data file: ZSTD, Iceberg field ids, and the schema in the footer. */
export function parquetOptions(spec: TableSpec, extra = ''): string {
  const fieldIds = `{${spec.columns.map((c) => `"${c.name}": ${c.id}`).join(', ')}}`
  // Java writes the Iceberg schema into each file; icebird maps field ids to names through it.
  const kvMeta = `{'iceberg.schema': ${sqlString(JSON.stringify(icebergSchema(spec)))}}`
  return `(FORMAT parquet, COMPRESSION zstd, FIELD_IDS ${fieldIds}, KV_METADATA ${kvMeta}${extra})`
}

/** Where a new data file of a partition goes (`<table>/data/ts_day=…/exchange=…/<uuid>.parquet`). */
export function dataFilePath(spec: TableSpec, tableDir: string, tuple: Record<string, Scalar | null>): string {
  const segments = spec.partition.map((f) => `${f.name}=${partitionPathValue(f.transform, tuple[f.name] ?? null)}`)
  return join(tableDir, 'data', ...segments, `${randomUUID()}.parquet`)
}

/**
 * A freshly written data file made durable (fsynced, named after its checksum) and its manifest
 * record, with the exact column statistics of the rows written. The caller fsyncs the directory.
 */
export async function finishDataFile(
  spec: TableSpec,
  path: string,
  tuple: Record<string, Scalar | null>,
  colStats: Map<string, ColumnStats>,
): Promise<DataFileRecord> {
  await fsyncFile(path)
  const named = await nameByChecksum(path)
  const size = (await stat(named)).size
  const lower: [number, Buffer][] = []
  const upper: [number, Buffer][] = []
  let rows = 0
  for (const c of spec.columns) {
    const s = colStats.get(c.name) as ColumnStats
    rows = s.count + s.nulls
    if (s.min !== null && s.max !== null) {
      const hi = typeof s.max === 'string' ? truncateUpper(s.max) : s.max
      lower.push([c.id, encodeValue(c.type, typeof s.min === 'string' ? truncateLower(s.min) : s.min)])
      if (hi !== null) upper.push([c.id, encodeValue(c.type, hi)])
    }
  }
  return {
    content: 0,
    file_path: toUri(named),
    file_format: 'PARQUET',
    partition: tuple as Record<string, string | number | null>,
    record_count: rows,
    file_size_in_bytes: size,
    column_sizes: null,
    value_counts: kv(spec.columns.map((c) => [c.id, rows])),
    null_value_counts: kv(spec.columns.map((c) => [c.id, (colStats.get(c.name) as ColumnStats).nulls])),
    nan_value_counts: kv(spec.columns.filter((c) => c.type === 'double').map((c) => [c.id, (colStats.get(c.name) as ColumnStats).nans])),
    lower_bounds: kv(lower),
    upper_bounds: kv(upper),
    key_metadata: null,
    split_offsets: null,
    equality_ids: null,
    sort_order_id: 0,
  }
}

async function writeFiles(conn: DuckDBConnection, spec: TableSpec, staged: Staged, tableDir: string): Promise<DataFileRecord[]> {
  const stats = staged.stats ?? (await statistics(conn, staged))
  const options = parquetOptions(spec)
  const files: DataFileRecord[] = []
  const dirs = new Set<string>()
  for (const [p, colStats] of stats) {
    const tuple = staged.partitions[p] as Record<string, Scalar | null>
    const path = dataFilePath(spec, tableDir, tuple)
    await mkdir(dirname(path), { recursive: true })
    dirs.add(dirname(path))
    await conn.run(
      `COPY (SELECT ${selectList(staged)} FROM ${stagedSource(staged, stats.size > 1 ? p : null)}${staged.sorted ? '' : ` ORDER BY ${orderBy(spec, staged)}`}) TO ${sqlString(path)} ${options}`,
    )
    files.push(await finishDataFile(spec, path, tuple, colStats))
  }
  for (const d of dirs) await fsyncDir(d)
  return files
}
