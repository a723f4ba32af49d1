import { fromIso, K2Error, MICROS_PER_MINUTE, type Tables } from '@k2/core'
import { createQueryLayer, MAX_MEMORY_ROWS, memoryCatalog, type QueryLayer } from '@k2/query'
import { createDuckDBEngine } from '@k2/query/duckdb'
import { Float64, Table, TimestampMillisecond, Utf8, vectorFromArray } from 'apache-arrow'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFixtureLake, DAY0, type FixtureLake, reference } from './support/fixture-lake.js'

// Two ways to the same answer: the fixture's day-0 Binance trades as Parquet files (through a
// FileCatalog) and the same rows held in memory (through memoryCatalog) must give equal results.
let lake: FixtureLake
let files: QueryLayer
let memory: QueryLayer
let rows: Tables['silver.trades'][]

beforeAll(async () => {
  lake = await createFixtureLake()
  rows = (await reference(
    lake.conn,
    `SELECT exchange, symbol, id, price, qty, side, epoch_us(ts) AS ts, epoch_us(recv_ts) AS recv_ts
     FROM read_parquet('${lake.tradeFiles[0]}') ORDER BY symbol, ts`,
  )) as Tables['silver.trades'][]
  files = createQueryLayer(lake.catalog, { engine: createDuckDBEngine() })
  memory = createQueryLayer(memoryCatalog({ 'silver.trades': rows }), { engine: createDuckDBEngine() })
})
afterAll(async () => {
  await files?.close()
  await memory?.close()
  await lake?.close()
})

const dayZeroBinance = (layer: QueryLayer) =>
  layer
    .query('silver.trades')
    .where({ exchange: 'binance' })
    .between('ts', DAY0, DAY0 + 24 * 60 * MICROS_PER_MINUTE - 1)

describe('memoryCatalog', () => {
  it('answers the builder exactly as the same rows in Parquet do', async () => {
    expect(rows.length).toBeGreaterThan(8000)
    const candles = (layer: QueryLayer) =>
      dayZeroBinance(layer)
        .where({ symbol: 'ETH-USDT' })
        .bucket('5m', { as: 'start' })
        .aggregate((f) => ({
          open: f.first('price'),
          high: f.max('price'),
          low: f.min('price'),
          close: f.last('price'),
          volume: f.sum('qty'),
          n: f.count(),
        }))
        .orderBy('start')
        .rows()
    const fromMemory = await candles(memory)
    expect(fromMemory).toHaveLength(288)
    expect(fromMemory).toEqual(await candles(files))
    const picked = (layer: QueryLayer) =>
      dayZeroBinance(layer).where({ side: 'sell' }).where('price', '>', 150).orderBy('id').limit(50).rows()
    expect(await picked(memory)).toEqual(await picked(files))
  })

  it('serves sql templates too, and lists no files in explain()', async () => {
    const q = memory.sql`select symbol, count(*) as n from ${memory.ref('silver.trades')} group by 1 order by 1`
    expect(await q.rows()).toEqual([
      { symbol: 'BTC-USDT', n: 2880 },
      { symbol: 'ETH-USDT', n: 2880 },
      { symbol: 'SOL-USDT', n: 2880 },
    ])
    const explain = await memory.query('silver.trades').limit(1).explain()
    expect(explain.tables).toEqual([{ table: 'silver.trades', snapshotId: null, files: [] }])
    expect(await memory.query('silver.book').rows()).toEqual([]) // a table it does not hold is empty
  })

  it('binds hostile strings as data', async () => {
    const evil = ["'); DROP TABLE t; --", '$1', '\\', '"quoted"', 'a'.repeat(1000), '日本語']
    const layer = createQueryLayer(
      memoryCatalog({
        'silver.trades': evil.map((id, i) => ({ ...(rows[i] as Tables['silver.trades']), id })),
      }),
      { engine: createDuckDBEngine() },
    )
    try {
      expect((await layer.query('silver.trades').select('id').rows()).map((r) => r.id)).toEqual(evil)
      expect(
        await layer
          .query('silver.trades')
          .where({ id: evil[0] as string })
          .select('id')
          .rows(),
      ).toEqual([{ id: evil[0] }])
    } finally {
      await layer.close()
    }
  })

  it('takes Arrow tables: K2 results (times as epoch µs) and Arrow timestamp columns', async () => {
    const fromK2 = await memory.query('silver.trades').where({ symbol: 'SOL-USDT' }).orderBy('ts').limit(5).arrow()
    const t0 = fromIso('2024-03-01T00:00:01.5Z')
    const foreign = new Table({
      exchange: vectorFromArray(['kraken', 'kraken'], new Utf8()),
      symbol: vectorFromArray(['BTC-USD', 'BTC-USD'], new Utf8()),
      id: vectorFromArray(['1', '2'], new Utf8()),
      price: vectorFromArray([10, 11], new Float64()),
      qty: vectorFromArray([1, 2], new Float64()),
      side: vectorFromArray(['buy', 'sell'], new Utf8()),
      ts: vectorFromArray([t0 / 1000, t0 / 1000 + 1], new TimestampMillisecond()),
      recv_ts: vectorFromArray([t0 / 1000, t0 / 1000 + 2], new TimestampMillisecond()),
    })
    const layer = createQueryLayer(memoryCatalog({ 'silver.trades': fromK2, 'bronze.frames': [] }), { engine: createDuckDBEngine() })
    const other = createQueryLayer(memoryCatalog({ 'silver.trades': foreign }), { engine: createDuckDBEngine() })
    try {
      expect(await layer.query('silver.trades').orderBy('ts').rows()).toEqual(
        await memory.query('silver.trades').where({ symbol: 'SOL-USDT' }).orderBy('ts').limit(5).rows(),
      )
      expect(await other.query('silver.trades').select('id', 'ts', 'recv_ts').orderBy('id').rows()).toEqual([
        { id: '1', ts: t0, recv_ts: t0 },
        { id: '2', ts: t0 + 1000, recv_ts: t0 + 2000 },
      ])
    } finally {
      await layer.close()
      await other.close()
    }
  })

  it('refuses bad rows up front, naming the row and column', () => {
    const bad = (patch: Record<string, unknown>) => () => memoryCatalog({ 'silver.trades': [rows[0], { ...rows[1], ...patch }] as never })
    expect(bad({ price: Number.NaN })).toThrow(/row 1 of silver.trades: invalid value NaN for silver.trades.price/)
    expect(bad({ symbol: undefined })).toThrow(/row 1 of silver.trades has no symbol, which is required/)
    expect(bad({ ts: 'yesterday' })).toThrow(K2Error)
    expect(() => memoryCatalog({ 'silver.trades': [rows[0], 'x'] as never })).toThrow(/row 1 of silver.trades is "x", not an object/)
    expect(() => memoryCatalog({ 'silver.nope': [] } as never)).toThrow(/unknown table/)
    expect(() => memoryCatalog({ 'silver.trades': 'rows' as never })).toThrow(/an array of rows or an Arrow table/)
    const many = Array.from({ length: MAX_MEMORY_ROWS + 1 }, () => rows[0])
    expect(() => memoryCatalog({ 'silver.trades': many as never })).toThrow(expect.objectContaining({ code: 'CAPACITY' }))
  })

  it('has no snapshots: time travel on it is VALIDATION', async () => {
    await expect(memory.query('silver.trades').asOf(1n).rows()).rejects.toMatchObject({ code: 'VALIDATION', message: /has no snapshots/ })
  })
})
