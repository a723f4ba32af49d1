import type { DuckDBConnection } from '@duckdb/node-api'
import type { Scalar } from '@k2/core'
import type { TableSpec } from '../iceberg/table-spec.js'
import { partitionExpr } from '../write/rows-in-duckdb.js'
import { sqlString } from '../write/sql-literal.js'
import type { Staged, StagedColumn } from '../write/staged-rows.js'
import { checkOrder } from './order-check.js'

/**
 * Stages one chunk's mapped rows for `ChunkedCommit` in one pass and without a sort: partition
 * tuples come from a DISTINCT over the chunk first (a few days), so the staging CTAS only labels
 * rows. Rows stay in file order; one ordered scan then tells whether they are already in the
 * table's sort order (a time-ordered file of one symbol is: the Parquet COPY then needs no ORDER BY)
 * and whether ids rise strictly (then the chunk holds no repeated key and the in-chunk dedup is
 * skipped), and the numeric id range, which `ChunkedCommit` uses to skip its own earlier files.
 */
export interface StagedChunk {
  staged: Staged
  /** The chunk's ids as numbers, when every id is a decimal integer. */
  idRange: { min: bigint; max: bigint } | null
}

let seq = 0

export async function stageChunk(
  conn: DuckDBConnection,
  spec: TableSpec,
  select: string,
  /** Runs on the staged table before anything is counted (the importer takes its bad rows out). */
  afterCreate?: (table: string) => Promise<void>,
): Promise<StagedChunk> {
  const table = `k2_chunk_${++seq}`
  const keys = spec.partition.map((p, i) => `${partitionExpr(p.transform, p.sourceColumn)} AS __k${i}`)
  const keyNames = spec.partition.map((_, i) => `__k${i}`)
  // One pass over the input: columns and partition keys; the partition index is labelled after.
  await conn.run(`CREATE TEMP TABLE ${table} AS SELECT *${keys.length ? `, ${keys.join(', ')}` : ''} FROM (${select})`)
  await afterCreate?.(table)
  const tuples = keyNames.length ? (await conn.runAndReadAll(`SELECT DISTINCT ${keyNames.join(', ')} FROM ${table}`)).getRows() : [[]]
  const partitions: Record<string, Scalar | null>[] = tuples.map((r) => {
    const tuple: Record<string, Scalar | null> = {}
    spec.partition.forEach((p, i) => {
      const v = r[i]
      tuple[p.name] = v === null || v === undefined ? null : typeof v === 'bigint' ? Number(v) : (v as Scalar)
    })
    return tuple
  })
  if (tuples.length <= 1) await conn.run(`ALTER TABLE ${table} ADD COLUMN __p INTEGER DEFAULT 0`)
  else {
    const label = `CASE ${tuples
      .map(
        (r, p) =>
          `WHEN ${r.map((v, i) => (v === null ? `__k${i} IS NULL` : `__k${i} = ${typeof v === 'string' ? sqlString(v) : String(v)}`)).join(' AND ')} THEN ${p}`,
      )
      .join(' ')} END`
    await conn.run(`ALTER TABLE ${table} ADD COLUMN __p INTEGER; UPDATE ${table} SET __p = ${label}`)
  }
  const hasId = spec.uniqueKey !== null && spec.columns.some((c) => c.name === 'id')
  const check = await checkOrder(conn, { source: table, order: 'rowid', sortBy: spec.sortBy, id: hasId })
  const columns: StagedColumn[] = spec.columns.map((c) => ({
    name: c.name,
    kind: c.type === 'timestamptz' ? 'ts' : c.type === 'boolean' ? 'bool' : c.type,
    required: c.required,
    dict: [],
  }))
  return {
    staged: {
      table,
      batch: null,
      rows: check.rows,
      columns,
      partitions,
      mayHaveDuplicates: !check.ids?.rise,
      // One partition: the file is one COPY of the table in order. Several: each partition's
      // filtered scan keeps that order too.
      sorted: check.sorted,
    },
    idRange: check.ids && { min: check.ids.min, max: check.ids.max },
  }
}
