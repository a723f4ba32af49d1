import { rename, rm } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { DuckDBInstance, timestampTZValue } from '@duckdb/node-api'
import { K2Error } from '@k2/core'

/** A column's type in the Parquet file: from the query's Arrow schema. */
export type ParquetColumnType = 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'BOOLEAN' | 'TIMESTAMPTZ'

export interface ParquetColumn {
  name: string
  type: ParquetColumnType
}

/** The Parquet type of an Arrow field of a K2 result (times are Float64 epoch µs tagged `k2.unit`). */
export function parquetType(arrowType: string, isTime: boolean): ParquetColumnType {
  if (isTime) return 'TIMESTAMPTZ'
  if (/^(Float|Decimal)/.test(arrowType)) return 'DOUBLE'
  if (/^u?int/i.test(arrowType)) return 'BIGINT'
  if (arrowType === 'Bool') return 'BOOLEAN'
  return 'VARCHAR'
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`
const quoteText = (text: string) => `'${text.replaceAll("'", "''")}'`

/**
 * Writes rows to a ZSTD Parquet file with DuckDB (already K2's engine): rows go in through an
 * appender, times as TIMESTAMPTZ, then `COPY … TO` a temporary name next to `path`, renamed over it
 * once complete, so a failed write never leaves half a file.
 */
export async function writeParquet(
  path: string,
  columns: readonly ParquetColumn[],
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (columns.length === 0) throw new K2Error('VALIDATION', 'the result has no columns: there is nothing to write to Parquet')
  const target = resolve(path)
  const tmp = join(dirname(target), `.${Date.now()}-${process.pid}.k2-tmp.parquet`)
  const db = await DuckDBInstance.create(':memory:')
  const conn = await db.connect()
  try {
    await conn.run(`CREATE TABLE result (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`)
    const appender = await conn.createAppender('result')
    for (const row of rows) {
      for (const c of columns) appendCell(appender, c, row[c.name])
      appender.endRow()
    }
    appender.closeSync()
    await conn.run(`COPY result TO ${quoteText(tmp)} (FORMAT parquet, COMPRESSION zstd)`)
    await rename(tmp, target)
  } catch (err) {
    await rm(tmp, { force: true })
    if (K2Error.isInstance(err)) throw err
    throw new K2Error('IO', `cannot write ${target}: ${(err as Error).message}`, { cause: err })
  } finally {
    conn.closeSync()
    db.closeSync()
  }
}

type Appender = Awaited<ReturnType<Awaited<ReturnType<DuckDBInstance['connect']>>['createAppender']>>

function appendCell(a: Appender, c: ParquetColumn, v: unknown): void {
  if (v === null || v === undefined) a.appendNull()
  else if (c.type === 'TIMESTAMPTZ') a.appendTimestampTZ(timestampTZValue(BigInt(Math.round(Number(v)))))
  else if (c.type === 'DOUBLE') a.appendDouble(Number(v))
  else if (c.type === 'BIGINT') a.appendBigInt(BigInt(v as number | bigint))
  else if (c.type === 'BOOLEAN') a.appendBoolean(Boolean(v))
  else a.appendVarchar(typeof v === 'string' ? v : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)))
}
