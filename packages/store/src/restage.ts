import type { DuckDBConnection } from '@duckdb/node-api'
import type { LiveFile } from './manifests.js'
import { fromUri } from './paths.js'
import type { Staged, StagedColumn } from './stage.js'
import type { TableSpec } from './table-spec.js'
import type { Scalar } from './values.js'

/**
 * Stages rows that are already in the lake (for compaction and retention rewrites): the rows of
 * `files`, all of one partition, optionally filtered by a SQL condition built by K2 itself.
 */
let seq = 0
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`

export async function stageFromFiles(conn: DuckDBConnection, spec: TableSpec, files: LiveFile[], where?: string): Promise<Staged> {
  const table = `k2_restage_${++seq}`
  const paths = files.map((f) => quote(fromUri(f.file.file_path))).join(', ')
  const cols = spec.columns.map((c) => `"${c.name}"`).join(', ')
  await conn.run(
    `CREATE TEMP TABLE ${table} AS SELECT ${cols}, 0::INTEGER AS __p FROM read_parquet([${paths}])${where ? ` WHERE ${where}` : ''}`,
  )
  const count = await conn.runAndReadAll(`SELECT count(*) FROM ${table}`)
  const columns: StagedColumn[] = spec.columns.map((c) => ({
    name: c.name,
    kind: c.type === 'timestamptz' ? 'ts' : c.type === 'boolean' ? 'bool' : c.type,
    required: c.required,
    dict: [],
  }))
  const partition = (files[0]?.file.partition ?? {}) as Record<string, Scalar | null>
  return { table, rows: Number(count.getRows()[0]?.[0] ?? 0), columns, partitions: [partition], mayHaveDuplicates: false }
}
