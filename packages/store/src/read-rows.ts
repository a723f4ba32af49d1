import type { DuckDBConnection } from '@duckdb/node-api'
import type { TableSpec } from './iceberg/table-spec.js'
import { checkDataFiles, type FileContext, probeSql, readFailure } from './write/data-file-checks.js'
import { sqlString } from './write/sql-literal.js'

/**
 * Reads Parquet data files into plain row objects: timestamptz columns as epoch µs numbers, longs as
 * numbers (K2's row types), in the order the files are given.
 */

export function projection(spec: TableSpec): string {
  return spec.columns.map((c) => (c.type === 'timestamptz' ? `epoch_us("${c.name}") AS "${c.name}"` : `"${c.name}"`)).join(', ')
}

/** Every row of `files` (checked first: present, intact), in the order given. */
export async function readRows(
  conn: DuckDBConnection,
  spec: TableSpec,
  files: readonly { path: string; size: number }[],
  ctx: FileContext,
): Promise<Record<string, unknown>[]> {
  if (files.length === 0) return []
  await checkDataFiles(files, ctx)
  const paths = files.map((f) => f.path)
  let reader: Awaited<ReturnType<DuckDBConnection['runAndReadAll']>>
  try {
    reader = await conn.runAndReadAll(`SELECT ${projection(spec)} FROM read_parquet([${paths.map(sqlString).join(', ')}])`)
  } catch (err) {
    throw await readFailure(err, paths, ctx, (p) => conn.run(probeSql(p)))
  }
  const names = spec.columns.map((c) => c.name)
  return reader.getRows().map((values) => {
    const row: Record<string, unknown> = {}
    for (let i = 0; i < names.length; i++) {
      const v = values[i]
      row[names[i] as string] = typeof v === 'bigint' ? Number(v) : v
    }
    return row
  })
}
