import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fromIso, MICROS_PER_DAY, type Tables } from '@k2/core'
import { createQueryLayer, type QueryLayer } from '@k2/query'
import { createDuckDBEngine } from '@k2/query/duckdb'
import { type Lake, openLake } from '@k2/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The seam with the lake: the query layer over a real Iceberg lake (`Lake` is the FileCatalog),
// with files, partitions and bounds exactly as the lake's manifests record them.
const DAY = fromIso('2024-05-01')
let dir: string
let lake: Lake
let layer: QueryLayer
let first: bigint
let second: bigint

function trades(day: number, exchange: string, n: number): Tables['silver.trades'][] {
  return Array.from({ length: n }, (_, i) => ({
    exchange,
    symbol: i % 2 === 0 ? 'BTC-USDT' : 'ETH-USDT',
    id: `${day}-${i}`,
    price: 100 + (i % 17),
    qty: 1 + (i % 5) / 10,
    side: i % 3 === 0 ? 'sell' : 'buy',
    ts: DAY + day * MICROS_PER_DAY + i * 1_000_000,
    recv_ts: DAY + day * MICROS_PER_DAY + i * 1_000_000 + 500,
  }))
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k2-query-lake-'))
  lake = await openLake(join(dir, 'lake'))
  const table = await lake.table('silver.trades')
  await table.append([...trades(0, 'binance', 600), ...trades(0, 'kraken', 400)])
  first = (await table.currentSnapshotId()) as bigint
  await table.append(trades(1, 'binance', 500))
  second = (await table.currentSnapshotId()) as bigint
  layer = createQueryLayer(lake, { engine: createDuckDBEngine() })
})
afterAll(async () => {
  await layer?.close()
  lake?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the query layer over a real lake', () => {
  it('reads what the lake holds', async () => {
    const rows = await layer.query('silver.trades').orderBy('exchange').orderBy('id').rows()
    const scanned = await (await lake.table('silver.trades')).scan()
    const key = (r: Tables['silver.trades']) => `${r.exchange}/${r.id}`
    expect(rows).toHaveLength(1500)
    expect(rows.map(key).sort()).toEqual(scanned.map(key).sort())
    expect(rows.find((r) => r.id === '1-7' && r.exchange === 'binance')).toEqual(
      scanned.find((r) => r.id === '1-7' && r.exchange === 'binance'),
    )
  })

  it('prunes on the partitions and bounds from the lake’s manifests', async () => {
    const q = layer
      .query('silver.trades')
      .where({ exchange: 'kraken' })
      .between('ts', DAY, DAY + MICROS_PER_DAY - 1)
    const plan = await q.explain()
    const files = plan.tables[0]?.files ?? []
    expect(files.length).toBeGreaterThanOrEqual(3)
    expect(files.filter((f) => f.chosen)).toHaveLength(1)
    expect(files.filter((f) => !f.chosen).every((f) => f.reasons.length > 0)).toBe(true)
    expect((await q.aggregate((f) => ({ n: f.count() })).rows())[0]?.n).toBe(400)
  })

  it('travels to the first commit and records the lake’s snapshot ids', async () => {
    const now = await layer
      .query('silver.trades')
      .aggregate((f) => ({ n: f.count() }))
      .execute()
    expect(now.rows[0]?.n).toBe(1500)
    expect(now.lineage.tables).toEqual([{ table: 'silver.trades', snapshotId: String(second) }])
    const then = await layer
      .query('silver.trades')
      .asOf(first)
      .aggregate((f) => ({ n: f.count() }))
      .execute()
    expect(then.rows[0]?.n).toBe(1000)
    const again = await layer
      .query('silver.trades')
      .asOf(then.lineage)
      .aggregate((f) => ({ n: f.count() }))
      .execute()
    expect(again.lineage.fingerprint).toBe(then.lineage.fingerprint)
  })

  it('answers for a table the lake has no snapshot of yet', async () => {
    expect(
      await layer
        .query('gold.ohlcv')
        .aggregate((f) => ({ n: f.count() }))
        .rows(),
    ).toEqual([{ n: 0 }])
    const r = await layer.sql`SELECT count(*) AS n FROM ${layer.ref('gold.ohlcv')}`
    expect(r.rows).toEqual([{ n: 0 }])
  })
})
