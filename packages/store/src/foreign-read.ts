import type { DuckDBConnection } from '@duckdb/node-api'
import { K2Error } from '@k2/core'
import type { PlannedFile } from './iceberg/scan-plan.js'
import { normalizeUri } from './iceberg/table-location.js'
import { sqlString } from './write/sql-literal.js'

/**
 * Reads the rows of an Iceberg table written by any engine, exactly: columns are bound by Parquet
 * field id, never by name (Spark writes `Breed_x20Name` for the column `Breed Name`; a column added
 * later is NULL in older files), through DuckDB's `read_parquet(…, schema = map {id: {…}})`; and
 * position deletes are applied by file and row position.
 *
 * Values come out exact: `long` as bigint, `int`/`float`/`double` as numbers, `date` as an ISO
 * `YYYY-MM-DD` string (a day has no time zone, so no Date), `timestamp`/`timestamptz` as epoch µs
 * (K2's time unit), `decimal` as its exact decimal string, `time` as `HH:MM:SS[.ffffff]`, `uuid` as
 * its string, `binary`/`fixed` as Uint8Array.
 */

/** A column of an Iceberg schema, as the metadata JSON has it. */
export interface IcebergField {
  id: number
  name: string
  required: boolean
  type: string
  doc?: string
}

interface Column {
  field: IcebergField
  duckType: string
  /** SQL turning the bound column into its output form. */
  output: (ref: string) => string
}

const PRIMITIVES: Record<string, [string, (ref: string) => string]> = {
  boolean: ['BOOLEAN', (r) => r],
  int: ['INTEGER', (r) => r],
  long: ['BIGINT', (r) => r],
  float: ['FLOAT', (r) => r],
  double: ['DOUBLE', (r) => r],
  date: ['DATE', (r) => `CAST(${r} AS VARCHAR)`],
  time: ['TIME', (r) => `CAST(${r} AS VARCHAR)`],
  timestamp: ['TIMESTAMP', (r) => `epoch_us(${r})`],
  timestamptz: ['TIMESTAMPTZ', (r) => `epoch_us(${r})`],
  string: ['VARCHAR', (r) => r],
  uuid: ['UUID', (r) => `CAST(${r} AS VARCHAR)`],
  binary: ['BLOB', (r) => r],
}

function column(field: IcebergField): Column {
  if (typeof field.type !== 'string') {
    throw new K2Error(
      'UNSUPPORTED',
      `column "${field.name}" is a nested ${(field.type as { type?: string }).type ?? 'type'}, which K2 does not read yet: select other columns`,
      {
        details: { column: field.name },
      },
    )
  }
  const known = PRIMITIVES[field.type]
  if (known) return { field, duckType: known[0], output: known[1] }
  const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(field.type)
  if (decimal) return { field, duckType: `DECIMAL(${decimal[1]}, ${decimal[2]})`, output: (r) => `CAST(${r} AS VARCHAR)` }
  if (/^fixed\[\d+\]$/.test(field.type)) return { field, duckType: 'BLOB', output: (r) => r }
  throw new K2Error('UNSUPPORTED', `column "${field.name}" has type ${field.type}, which K2 does not read: select other columns`, {
    details: { column: field.name, type: field.type },
  })
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`

/** Every live row of `files`, in file order then row order, with only `fields` (by field id). */
export async function readForeignRows(
  conn: DuckDBConnection,
  fields: readonly IcebergField[],
  files: readonly PlannedFile[],
): Promise<Record<string, unknown>[]> {
  if (files.length === 0) return []
  const columns = fields.map(column)
  // Bound names are c<id>, so any Iceberg name (spaces, quotes, unicode) is only ever an output alias.
  const schema = `map {${columns.map((c) => `${c.field.id}: {name: 'c${c.field.id}', type: '${c.duckType}', default_value: NULL}`).join(', ')}}`
  const projection = columns.map((c) => `${c.output(`c${c.field.id}`)} AS ${ident(c.field.name)}`).join(', ')
  const deleteFiles = [...new Set(files.flatMap((f) => f.deletes))]
  try {
    if (deleteFiles.length > 0) {
      await conn.run(
        `CREATE OR REPLACE TEMP TABLE k2_position_deletes AS SELECT file_path, pos, filename AS delete_file FROM read_parquet([${deleteFiles.map(sqlString).join(', ')}], filename = true)`,
      )
    }
    const parts = files.map((f, i) => {
      let where = ''
      if (f.deletes.length > 0) {
        const uris = [...new Set([f.file.file_path, normalizeUri(f.file.file_path)])]
        where = ` WHERE file_row_number NOT IN (SELECT pos FROM k2_position_deletes WHERE delete_file IN (${f.deletes.map(sqlString).join(', ')}) AND file_path IN (${uris.map(sqlString).join(', ')}))`
      }
      const source = `read_parquet([${sqlString(f.path)}], schema = ${schema}, file_row_number = true)`
      return `SELECT ${projection}, ${i} AS k2_file, file_row_number AS k2_row FROM ${source}${where}`
    })
    const reader = await conn.runAndReadAll(
      `SELECT * EXCLUDE (k2_file, k2_row) FROM (${parts.join(' UNION ALL ')}) ORDER BY k2_file, k2_row`,
    )
    return reader.getRows().map((values) => {
      const row: Record<string, unknown> = {}
      columns.forEach((c, i) => {
        row[c.field.name] = jsValue(c, values[i])
      })
      return row
    })
  } catch (err) {
    if (K2Error.isInstance(err)) throw err
    throw new K2Error(
      'CORRUPT_TABLE',
      `a data or delete file could not be read (${(err as Error).message.split('\n')[0]}): check the files the table's manifests name exist under its folder (pass pathMap for files elsewhere)`,
      { cause: err, details: { files: files.length } },
    )
  }
}

function jsValue(c: Column, v: unknown): unknown {
  if (v === null || v === undefined) return null
  if (c.field.type === 'timestamp' || c.field.type === 'timestamptz') return Number(v as bigint)
  if (typeof v === 'object' && v !== null && 'bytes' in v) return (v as { bytes: Uint8Array }).bytes
  return v
}
