import type { DuckDBConnection } from '@duckdb/node-api'
import type { Scalar } from '@k2/core'
import type { LiveFile } from '../iceberg/manifests.js'
import type { TableSpec } from '../iceberg/table-spec.js'
import { checkDataFiles, type FileContext, probeSql, readFailure } from './data-file-checks.js'
import { sqlString } from './sql-literal.js'
import type { Staged, StagedColumn } from './staged-rows.js'

/**
 * Stages rows that are already in the lake (for compaction and retention rewrites): the rows of
 * `files`, all of one partition, optionally filtered by a SQL condition built by K2 itself.
 */
let seq = 0

export async function stageFromFiles(
  conn: DuckDBConnection,
  spec: TableSpec,
  files: LiveFile[],
  ctx: FileContext,
  where?: string,
): Promise<Staged> {
  const table = `k2_rewrite_${++seq}`
  const read = files.map((f) => ({ path: f.path, size: Number(f.file.file_size_in_bytes) }))
  await checkDataFiles(read, ctx) // a rewrite must not carry damaged rows into a new, checksummed file
  const paths = read.map((f) => sqlString(f.path)).join(', ')
  const cols = spec.columns.map((c) => `"${c.name}"`).join(', ')
  try {
    await conn.run(
      `CREATE TEMP TABLE ${table} AS SELECT ${cols}, 0::INTEGER AS __p FROM read_parquet([${paths}])${where ? ` WHERE ${where}` : ''}`,
    )
  } catch (err) {
    throw await readFailure(
      err,
      read.map((f) => f.path),
      ctx,
      (p) => conn.run(probeSql(p)),
    )
  }
  const count = await conn.runAndReadAll(`SELECT count(*) FROM ${table}`)
  const columns: StagedColumn[] = spec.columns.map((c) => ({
    name: c.name,
    kind: c.type === 'timestamptz' ? 'ts' : c.type === 'boolean' ? 'bool' : c.type,
    required: c.required,
    dict: [],
  }))
  const partition = (files[0]?.file.partition ?? {}) as Record<string, Scalar | null>
  return {
    table,
    batch: null,
    rows: Number(count.getRows()[0]?.[0] ?? 0),
    columns,
    partitions: [partition],
    mayHaveDuplicates: false,
    sorted: false,
  }
}

export function partitionExpr(transform: string, col: string): string {
  const c = `"${col}"`
  if (transform === 'day') return `CAST(floor(epoch_us(${c}) / 86400000000) AS INTEGER)`
  if (transform === 'month')
    return `((year(make_timestamp(epoch_us(${c}))) - 1970) * 12 + month(make_timestamp(epoch_us(${c}))) - 1)::INTEGER`
  return c
}

/**
 * Stages the result of `select` (which must yield the table's columns, typed) for an append, with
 * partition indexes computed in SQL. Used by importers: rows never pass through JS.
 */
export async function stageFromQuery(conn: DuckDBConnection, spec: TableSpec, select: string): Promise<Staged> {
  const table = `k2_import_${++seq}`
  const keys = spec.partition.map((p, i) => `${partitionExpr(p.transform, p.sourceColumn)} AS __k${i}`)
  const keyNames = spec.partition.map((_, i) => `__k${i}`)
  const cols = spec.columns.map((c) => `"${c.name}"`).join(', ')
  const rank = keyNames.length > 0 ? `(dense_rank() OVER (ORDER BY ${keyNames.join(', ')}) - 1)::INTEGER` : '0::INTEGER'
  await conn.run(
    `CREATE TEMP TABLE ${table} AS WITH q AS (SELECT ${cols}${keys.length ? `, ${keys.join(', ')}` : ''} FROM (${select})) SELECT *, ${rank} AS __p FROM q`,
  )
  const parts = await conn.runAndReadAll(`SELECT DISTINCT __p${keyNames.length ? `, ${keyNames.join(', ')}` : ''} FROM ${table}`)
  const partitions: Record<string, Scalar | null>[] = []
  for (const r of parts.getRows()) {
    const tuple: Record<string, Scalar | null> = {}
    spec.partition.forEach((p, i) => {
      const v = r[1 + i]
      tuple[p.name] = v === null || v === undefined ? null : typeof v === 'bigint' ? Number(v) : (v as Scalar)
    })
    partitions[Number(r[0])] = tuple
  }
  const total = await conn.runAndReadAll(`SELECT count(*) FROM ${table}`)
  const rows = Number(total.getRows()[0]?.[0] ?? 0)
  const columns: StagedColumn[] = spec.columns.map((c) => ({
    name: c.name,
    kind: c.type === 'timestamptz' ? 'ts' : c.type === 'boolean' ? 'bool' : c.type,
    required: c.required,
    dict: [],
  }))
  return { table, batch: null, rows, columns, partitions, mayHaveDuplicates: true, sorted: false }
}
