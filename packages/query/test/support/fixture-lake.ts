import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DuckDBConnection, DuckDBInstance, listValue } from '@duckdb/node-api'
import { fromIso, MICROS_PER_DAY } from '@k2/core'
import { describeParquet, ParquetCatalog } from './parquet-catalog.js'

export const DAY0 = fromIso('2024-03-01')
export const EXCHANGES = ['binance', 'kraken'] as const
export const SYMBOLS = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'] as const
/** Trades per (day, exchange, symbol): one every 30 s. */
export const TRADES_PER_SYMBOL_DAY = 2880

/** A small real lake: Parquet files written by DuckDB, day/exchange partitioned, and a catalog over them. */
export interface FixtureLake {
  dir: string
  catalog: ParquetCatalog
  /** An independent DuckDB connection for hand-written reference queries. */
  conn: DuckDBConnection
  /** Snapshot ids of silver.trades after day 0, day 1 and day 2 were committed. */
  snapshots: bigint[]
  /** Commit times (µs) of those snapshots. */
  commitTimes: number[]
  tradeFiles: string[]
  bookFiles: string[]
  close(): Promise<void>
}

/**
 * Trades: 3 days × 2 exchanges × 3 symbols, sorted by symbol, ts; prices and sides from a hash so
 * they vary but are reproducible; every 97th kraken trade has recv_ts equal to ts. Book: bid/ask
 * top-of-book snapshots every 60 s (offset 15 s) for the same keys on day 0 only.
 */
export async function createFixtureLake(): Promise<FixtureLake> {
  const dir = mkdtempSync(join(tmpdir(), 'k2-query-'))
  const instance = await DuckDBInstance.create(':memory:')
  const conn = await instance.connect()
  await conn.run("SET TimeZone = 'UTC'")
  const catalog = new ParquetCatalog()
  const tradeFiles: string[] = []
  const snapshots: bigint[] = []
  const commitTimes: number[] = []
  const all = []
  for (let day = 0; day < 3; day++) {
    for (const exchange of EXCHANGES) {
      const path = join(dir, `trades-d${day}-${exchange}.parquet`)
      const start = DAY0 + day * MICROS_PER_DAY
      await conn.run(
        `COPY (
          SELECT $exchange AS exchange, s.symbol, (s.k * 100000 + i)::VARCHAR AS id,
            round(100 * (s.k + 1) + (hash(s.symbol, i, $exchange) % 1000) / 100.0, 2)::DOUBLE AS price,
            (1 + hash(i, s.symbol) % 50) / 10.0 AS qty,
            CASE WHEN hash(i, s.symbol, 'side') % 2 = 0 THEN 'buy' ELSE 'sell' END AS side,
            make_timestamp($start::BIGINT + i * 30000000)::TIMESTAMPTZ AS ts,
            make_timestamp($start::BIGINT + i * 30000000 + 1500)::TIMESTAMPTZ AS recv_ts
          FROM (SELECT unnest($symbols::VARCHAR[]) AS symbol, generate_subscripts($symbols::VARCHAR[], 1) AS k) s,
               range(${TRADES_PER_SYMBOL_DAY}) r(i)
          ORDER BY s.symbol, ts
        ) TO '${path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048)`,
        { exchange, start, symbols: listValue([...SYMBOLS]) },
      )
      tradeFiles.push(path)
      all.push(await describeParquet(conn, 'silver.trades', path, { ts_day: day + Math.round(DAY0 / MICROS_PER_DAY), exchange }))
    }
    const at = DAY0 + (day + 1) * MICROS_PER_DAY
    commitTimes.push(at)
    snapshots.push(catalog.commit('silver.trades', [...all], at))
  }
  const bookFiles: string[] = []
  const book = []
  for (const exchange of EXCHANGES) {
    const path = join(dir, `book-d0-${exchange}.parquet`)
    await conn.run(
      `COPY (
        SELECT $exchange AS exchange, s.symbol, 'snapshot' AS kind, i::BIGINT AS sequence, NULL::BIGINT AS first_sequence, NULL::BIGINT AS checksum, NULL::VARCHAR AS snapshot_interval, side,
          CASE WHEN side = 'bid' THEN 100 * (s.k + 1) + i / 100.0 ELSE 100 * (s.k + 1) + i / 100.0 + 0.5 END AS price,
          1.0 AS qty,
          make_timestamp($start::BIGINT + 15000000 + i * 60000000)::TIMESTAMPTZ AS ts,
          make_timestamp($start::BIGINT + 15000000 + i * 60000000 + 900)::TIMESTAMPTZ AS recv_ts
        FROM (SELECT unnest($symbols::VARCHAR[]) AS symbol, generate_subscripts($symbols::VARCHAR[], 1) AS k) s,
             range(1440) r(i), (SELECT unnest(['bid', 'ask']) AS side) d
        ORDER BY s.symbol, ts
      ) TO '${path}' (FORMAT parquet, COMPRESSION zstd)`,
      { exchange, start: DAY0, symbols: listValue([...SYMBOLS]) },
    )
    bookFiles.push(path)
    book.push(await describeParquet(conn, 'silver.book', path, { ts_day: Math.round(DAY0 / MICROS_PER_DAY), exchange }))
  }
  catalog.commit('silver.book', book, DAY0 + MICROS_PER_DAY)
  return {
    dir,
    catalog,
    conn,
    snapshots,
    commitTimes,
    tradeFiles,
    bookFiles,
    async close() {
      conn.closeSync()
      instance.closeSync()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Rows of a hand-written reference query as plain objects, bigints and timestamps as numbers (epoch µs). */
export async function reference(conn: DuckDBConnection, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const r = await conn.runAndReadAll(sql, params as never)
  const names = r.columnNames()
  return r.getRows().map((row) =>
    Object.fromEntries(
      row.map((v, i) => {
        const x = v as unknown
        const value =
          typeof x === 'bigint'
            ? Number(x)
            : x !== null && typeof x === 'object' && 'micros' in x
              ? Number((x as { micros: bigint }).micros)
              : x
        return [names[i], value]
      }),
    ),
  )
}
