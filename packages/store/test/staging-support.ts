import { DuckDBInstance } from '@duckdb/node-api'
import type { TableName } from '@k2/core'
import { type Lake, openLake } from '@k2/store'
import { afterEach, beforeEach, expect } from 'vitest'
import { tableSpec } from '../src/iceberg/table-spec.js'
import { T0, tempDir } from './helpers.js'

/** What the staging tests share: a fresh lake per test, and reading its data files back with DuckDB. */

/** Opens a lake in a new temp directory before each test; closes and removes it after. */
export function useLake(): { readonly lake: Lake } {
  let lake: Lake | undefined
  let cleanup = () => {}
  beforeEach(async () => {
    const t = tempDir()
    cleanup = t.cleanup
    lake = await openLake(t.dir)
  })
  afterEach(async () => {
    await lake?.close()
    cleanup()
  })
  return {
    get lake(): Lake {
      if (!lake) throw new Error('useLake(): the lake is open only inside a test')
      return lake
    },
  }
}

/** Runs `sql` on a throwaway DuckDB and returns its rows as JS objects (bigints as numbers). */
export async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:')
  const conn = await db.connect()
  try {
    const reader = await conn.runAndReadAll(sql)
    return reader
      .getRowObjectsJS()
      .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])))
  } finally {
    conn.closeSync()
    db.closeSync()
  }
}

export const fileList = (paths: string[]) => `[${paths.map((p) => `'${p.replace(/'/g, "''")}'`).join(', ')}]`

/** The table's columns as a SELECT list, times as epoch µs. */
export function selectColumns(table: TableName): string {
  return tableSpec(table)
    .columns.map((c) => (c.type === 'timestamptz' ? `epoch_us("${c.name}") AS "${c.name}"` : `"${c.name}"`))
    .join(', ')
}

/** Every row of a table, read by DuckDB straight from the files the manifests list. */
export async function readBack(lake: Lake, table: TableName): Promise<Record<string, unknown>[]> {
  const { files } = await lake.files(table)
  if (files.length === 0) return []
  return query(`SELECT ${selectColumns(table)} FROM read_parquet(${fileList(files.map((f) => f.path))})`)
}

const key = (r: Record<string, unknown>) =>
  JSON.stringify(
    Object.keys(r)
      .filter((k) => r[k] !== null && r[k] !== undefined)
      .sort()
      .map((k) => [k, r[k]]),
  )

/** The same rows, in any order (missing and null columns count as null). */
export function expectSameRows(a: Record<string, unknown>[], b: Record<string, unknown>[]): void {
  expect(a.map(key).sort()).toEqual(b.map(key).sort())
}

/** A silver.book row whose price is `i`, at T0 + i µs, with `over` merged in. */
export const bookRow = (i: number, over: Record<string, unknown> = {}) => ({
  exchange: 'binance',
  symbol: 'BTC-USDT',
  kind: 'delta',
  sequence: null as number | null,
  checksum: null as number | null,
  side: 'bid',
  price: i,
  qty: 1,
  ts: T0 + i,
  recv_ts: T0 + i,
  ...over,
})
