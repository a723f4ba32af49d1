import { K2Error } from '@k2/core'
import { createDuckDBWasmEngine, createQueryLayer, type QueryLayer } from '@k2/query'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFixtureLake, type FixtureLake } from './support/fixture-lake.js'
import { openWasmDatabase } from './support/wasm-db.js'

let lake: FixtureLake
let layer: QueryLayer
beforeAll(async () => {
  lake = await createFixtureLake()
  layer = createQueryLayer(lake.catalog, { engine: await createDuckDBWasmEngine({ db: await openWasmDatabase() }), pool: { size: 1 } })
})
afterAll(async () => {
  await layer?.close()
  await lake?.close()
})

describe('the duckdb-wasm engine', () => {
  it('turns extension auto-install and auto-load off on its connections', async () => {
    const rows =
      await layer.sql`SELECT current_setting('autoinstall_known_extensions') AS i, current_setting('autoload_known_extensions') AS l`.rows()
    expect(rows).toEqual([{ i: false, l: false }])
  })

  it('runs parameterized queries with the same value conventions as the native engine', async () => {
    const rows = await layer.sql`SELECT ${"it's"} AS s, ${41} + 1 AS n, ${1.5} * 2 AS d, ${true} AS b, ${null} AS z,
      ${new Date('2024-03-01T00:00:00.123Z')} AS t, ${layer.time('2024-03-01T00:00:00.123456Z')} AS u, 5::BIGINT AS big`.rows()
    expect(rows).toEqual([{ s: "it's", n: 42, d: 3, b: true, z: null, t: 1709251200123000, u: 1709251200123456, big: 5 }])
  })

  it('answers a typed query on an empty table without needing Parquet', async () => {
    const q = layer.query('gold.ohlcv').where({ symbol: 'BTC-USDT', timeframe: '1m' }).select('start', 'close')
    expect(await q.rows()).toEqual([])
    expect((await q.arrow()).schema.fields.map((f) => f.name)).toEqual(['start', 'close'])
    expect(
      await layer
        .query('gold.ohlcv')
        .aggregate((f) => ({ n: f.count() }))
        .rows(),
    ).toEqual([{ n: 0 }])
  })

  it('fails clearly, and promptly, where the Parquet extension is not available', async () => {
    const err = await layer
      .query('silver.trades')
      .limit(1)
      .rows()
      .catch((e: unknown) => e)
    expect(K2Error.isInstance(err) && err.code).toBe('UNSUPPORTED')
    expect((err as Error).message).toMatch(/Parquet extension/)
  })

  it('runs only single SELECT statements', async () => {
    for (const q of [layer.sql`SELECT 1; DROP TABLE t`, layer.sql`CREATE TABLE t AS SELECT 1`, layer.sql`SET memory_limit = '1TB'`]) {
      await expect(q.rows()).rejects.toMatchObject({ code: 'VALIDATION' })
    }
    expect(await layer.sql`SELECT ';' AS semi -- a comment; not a statement`.rows()).toEqual([{ semi: ';' }])
  })
})
