import { join } from 'node:path'
import { importFiles } from '@k2/store'
import { describe, expect, it } from 'vitest'
import { useTempLake } from './helpers.js'
import { binanceTradeLines, writeZip } from './import-support.js'

// Not a timing test (bench/import.bench.ts measures speed and memory): a zipped file of more than a
// million rows goes through several chunks and arrives whole and exact.
describe('importing a zipped Binance trades file of 1.2M rows', () => {
  const fx = useTempLake()

  it('imports every row once, in one commit, with exact values', { timeout: 600_000 }, async () => {
    const n = 1_200_000
    const zip = join(fx.dir, 'BTCUSDT-trades-2024-01-01.zip')
    await writeZip(zip, 'BTCUSDT-trades-2024-01-01.csv', binanceTradeLines(n, { first: 3_000_000_000 }))
    let progressed = 0
    const r = await importFiles(fx.lake, [zip], { chunkBytes: 16 << 20, onProgress: (p) => (progressed = Math.max(progressed, p.bytes)) })
    expect(r).toMatchObject({ rowsRead: n, rowsWritten: n, duplicates: 0, badRows: 0 })
    expect(r.commits).toHaveLength(1)
    expect(progressed).toBeGreaterThan(60_000_000)
    const trades = fx.lake.ref('silver.trades')
    const [q] = (
      await fx.lake.sql`SELECT count(*) AS n, min(id) AS lo, max(id) AS hi, count(*) FILTER (WHERE side = 'sell') AS sells FROM ${trades}`
    ).rows as { n: number; lo: string; hi: string; sells: number }[]
    expect(Number(q?.n)).toBe(n)
    expect(q?.lo).toBe('3000000000')
    expect(q?.hi).toBe(String(3_000_000_000 + n - 1))
    expect(Number(q?.sells)).toBe(n / 3)
    const spot = (await fx.lake.sql`SELECT price, qty, epoch_us(ts) AS ts FROM ${trades} WHERE id = ${'3000654321'}`).rows as {
      price: number
      qty: number
      ts: number
    }[]
    // Line 654322: i = 654321 → price 42000 + (654321 % 1000) / 100, qty 0.001 × (1 + 654321 % 50).
    expect(spot[0]?.price).toBe(42003.21)
    expect(spot[0]?.qty).toBe(0.022)
    expect(Number(spot[0]?.ts)).toBe((Date.UTC(2024, 0, 1) + 654321) * 1000)
  })
})
