import { DuckDBInstance } from '@duckdb/node-api'
import type { Trade } from '@k2/core'
import { MICROS_PER_DAY } from '@k2/core'
import { openLake } from '@k2/store'
import { afterEach, describe, expect, it } from 'vitest'
import { makeTrades, T0, tempDir } from './helpers.js'

const dirs: (() => void)[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) d()
})

/** A deterministic shuffle, so the writer gets rows in no useful order. */
function shuffled<T>(xs: readonly T[], seed = 7): T[] {
  const out = [...xs]
  let s = seed
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

describe('data files written by the lake', () => {
  it('are sorted by symbol then ts, and their manifest statistics equal what DuckDB finds in them', async () => {
    const { dir, cleanup } = tempDir()
    dirs.push(cleanup)
    const lake = await openLake(dir)
    const trades: Trade[] = [
      ...makeTrades(3000, { symbols: ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'], stepUs: 37_000_000 }), // spans two days
      ...makeTrades(1000, { exchange: 'kraken', symbols: ['BTC-USD', 'ETH-USD'], start: T0 + MICROS_PER_DAY / 2, startId: 50_000 }),
    ]
    const w = (await lake.table('silver.trades')).writer({ flushRows: 10_000_000 })
    await w.append(shuffled(trades))
    await w.close()

    const { files } = await lake.files('silver.trades')
    expect(files.length).toBeGreaterThanOrEqual(3) // day × exchange partitions
    expect(files.reduce((n, f) => n + f.recordCount, 0)).toBe(trades.length)

    const db = await DuckDBInstance.create(':memory:')
    const conn = await db.connect()
    try {
      for (const f of files) {
        // file_row_number is the physical order of the rows in the file.
        const reader = await conn.runAndReadAll(
          `select symbol, epoch_us(ts)::double as ts, id, price, qty, epoch_us(recv_ts)::double as recv_ts
           from read_parquet($1, file_row_number = true) order by file_row_number`,
          [f.path],
        )
        const rows = reader.getRowObjectsJson() as { symbol: string; ts: number; id: string; price: number; qty: number; recv_ts: number }[]
        expect(rows).toHaveLength(f.recordCount)
        for (let i = 1; i < rows.length; i++) {
          const a = rows[i - 1] as (typeof rows)[number]
          const b = rows[i] as (typeof rows)[number]
          expect(a.symbol < b.symbol || (a.symbol === b.symbol && a.ts <= b.ts), `${f.path} row ${i}`).toBe(true)
        }
        const col = (k: keyof (typeof rows)[number]) => rows.map((r) => r[k])
        const ordered = (xs: (string | number)[]) => [...xs].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
        const min = (xs: (string | number)[]) => ordered(xs)[0]
        const max = (xs: (string | number)[]) => ordered(xs).at(-1)
        for (const k of ['symbol', 'price', 'qty'] as const) {
          expect(f.lowerBounds[k], `${k} lower`).toBe(min(col(k)))
          expect(f.upperBounds[k], `${k} upper`).toBe(max(col(k)))
        }
        for (const k of ['ts', 'recv_ts'] as const) {
          expect(Number(f.lowerBounds[k]), `${k} lower`).toBe(min(col(k)))
          expect(Number(f.upperBounds[k]), `${k} upper`).toBe(max(col(k)))
        }
        expect(f.nullCounts.price ?? 0).toBe(0)
      }
    } finally {
      conn.closeSync()
      db.closeSync()
      await lake.close()
    }
  })
})
