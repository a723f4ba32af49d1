import type { DuckDBConnection } from '@duckdb/node-api'
import { K2Error } from '@k2/core'
import type { TableSpec } from './iceberg/table-spec.js'
import { sqlString } from './write/sql-literal.js'

/**
 * Reads Parquet data files into plain row objects: timestamptz columns as epoch µs numbers, longs as
 * numbers (K2's row types), in the order the files are given.
 */

export function projection(spec: TableSpec): string {
  return spec.columns.map((c) => (c.type === 'timestamptz' ? `epoch_us("${c.name}") AS "${c.name}"` : `"${c.name}"`)).join(', ')
}

export async function readRows(conn: DuckDBConnection, spec: TableSpec, paths: readonly string[]): Promise<Record<string, unknown>[]> {
  if (paths.length === 0) return []
  let reader: Awaited<ReturnType<DuckDBConnection['runAndReadAll']>>
  try {
    reader = await conn.runAndReadAll(`SELECT ${projection(spec)} FROM read_parquet([${paths.map(sqlString).join(', ')}])`)
  } catch (err) {
    throw new K2Error(
      'CORRUPT_TABLE',
      `a data file of ${spec.name} could not be read (${(err as Error).message.split('\n')[0]}): restore the file, or roll the table back to a snapshot without it`,
      { cause: err, details: { files: paths.length } },
    )
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
