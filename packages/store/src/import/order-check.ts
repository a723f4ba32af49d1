import type { DuckDBConnection } from '@duckdb/node-api'
import { sqlString } from '../write/sql-literal.js'

/**
 * One scan of rows in their stored order (a staged table by `rowid`, a Parquet file by
 * `file_row_number`) that tells whether they are already in the table's sort order, whether their
 * numeric ids rise strictly (then no key repeats among them), the id range, and the epoch-µs bounds
 * of the time columns asked for.
 */
export interface OrderCheck {
  rows: number
  sorted: boolean
  /** Every id is a decimal integer: their range, and whether each is above the one before. */
  ids: { min: bigint; max: bigint; rise: boolean } | null
  /** Epoch µs of each time column asked for; null when it holds no value. */
  times: Map<string, { min: number; max: number } | null>
}

export interface OrderCheckQuery {
  /** A relation: a table name or `read_parquet(…, file_row_number = true)`. */
  source: string
  /** The column giving stored order (`rowid`, `file_row_number`). */
  order: string
  /** The sort columns to check, major first. */
  sortBy: readonly string[]
  /** Check the `id` column (a string of digits, if numeric). */
  id: boolean
  times?: readonly string[]
}

export async function checkOrder(conn: DuckDBConnection, q: OrderCheckQuery): Promise<OrderCheck> {
  const times = q.times ?? []
  // One lag over a struct of what is compared: a window per column would sort once each.
  const compared = [...q.sortBy.map((c) => [c, `"${c}"`] as const), ...(q.id ? [['nid', 'nid'] as const] : [])]
  const outOfOrder = q.sortBy.length
    ? q.sortBy
        .map((c, i) => `(${[...q.sortBy.slice(0, i).map((b) => `"${b}" = p."${b}"`), `"${c}" < p."${c}"`].join(' AND ')})`)
        .join(' OR ')
    : 'false'
  const columns = [...new Set([...q.sortBy, ...times])].map((c) => `"${c}"`)
  const base = `SELECT ${[...columns, q.order, ...(q.id ? ['TRY_CAST(id AS BIGINT) AS nid'] : [])].join(', ')} FROM ${q.source}`
  const prev = compared.length
    ? `, lag({${compared.map(([name, ref]) => `${sqlString(name)}: ${ref}`).join(', ')}}) OVER (ORDER BY ${q.order}) AS p`
    : ''
  const outer = [
    'count(*) AS n',
    `count(*) FILTER (WHERE ${outOfOrder}) AS unsorted`,
    ...(q.id
      ? [
          'count(*) FILTER (WHERE nid IS NULL) AS nonnum',
          'count(*) FILTER (WHERE nid <= p.nid) AS norise',
          'min(nid) AS lo',
          'max(nid) AS hi',
        ]
      : []),
    ...times.flatMap((t, i) => [`epoch_us(min("${t}")) AS t${i}_lo`, `epoch_us(max("${t}")) AS t${i}_hi`]),
  ]
  const reader = await conn.runAndReadAll(`SELECT ${outer.join(', ')} FROM (SELECT *${prev} FROM (${base}))`)
  const r = reader.getRowObjectsJS()[0] ?? {}
  const numeric = q.id && Number(r.nonnum) === 0 && r.lo !== null && r.lo !== undefined
  return {
    rows: Number(r.n ?? 0),
    sorted: Number(r.unsorted ?? 0) === 0,
    ids: numeric ? { min: BigInt(r.lo as bigint), max: BigInt(r.hi as bigint), rise: Number(r.norise) === 0 } : null,
    times: new Map(
      times.map((t, i) => {
        const lo = r[`t${i}_lo`]
        const hi = r[`t${i}_hi`]
        return [t, lo === null || lo === undefined ? null : { min: Number(lo), max: Number(hi) }]
      }),
    ),
  }
}
