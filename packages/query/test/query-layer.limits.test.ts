import { K2Error } from '@k2/core'
import { createQueryLayer, type EngineConnection, type QueryEngine, type QueryLayer } from '@k2/query'
import { createDuckDBEngine } from '@k2/query/duckdb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFixtureLake, type FixtureLake, TRADES_PER_SYMBOL_DAY } from './support/fixture-lake.js'

let lake: FixtureLake
beforeAll(async () => {
  lake = await createFixtureLake()
})
afterAll(async () => lake?.close())

const codeOf = (e: unknown) => (K2Error.isInstance(e) ? e.code : `not a K2Error: ${String(e)}`)

describe('a burst of 1,000 concurrent queries', () => {
  it('completes or is rejected with CAPACITY, with the pool and queue bounded', async () => {
    const layer = createQueryLayer(lake.catalog, { engine: createDuckDBEngine(), pool: { size: 2, maxQueue: 50 } })
    const symbols = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'] as const
    let maxBusy = 0
    let maxQueued = 0
    let maxOpen = 0
    const sample = () => {
      const s = layer.stats()
      maxBusy = Math.max(maxBusy, s.busy)
      maxQueued = Math.max(maxQueued, s.queued)
      maxOpen = Math.max(maxOpen, s.open)
    }
    const heapBefore = process.memoryUsage().heapUsed
    const results = await Promise.allSettled(
      Array.from({ length: 1000 }, async (_, i) => {
        const symbol = symbols[i % 3] as (typeof symbols)[number]
        const q = layer
          .query('silver.trades')
          .where({ exchange: 'binance', symbol })
          .aggregate((f) => ({ n: f.count() }))
        sample()
        const rows = await q.rows()
        sample()
        return rows[0]?.n
      }),
    )
    const done = results.filter((r) => r.status === 'fulfilled')
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(done.length + rejected.length).toBe(1000)
    expect(done.length).toBeGreaterThanOrEqual(52) // at least what fits in the pool and its queue
    expect(rejected.length).toBeGreaterThan(0)
    expect(new Set(rejected.map((r) => codeOf(r.reason)))).toEqual(new Set(['CAPACITY']))
    for (const r of done) expect(r.value).toBe(3 * TRADES_PER_SYMBOL_DAY)
    expect(maxOpen).toBeLessThanOrEqual(2)
    expect(maxBusy).toBeLessThanOrEqual(2)
    expect(maxQueued).toBeLessThanOrEqual(50)
    expect(layer.stats()).toMatchObject({ busy: 0, queued: 0, rejected: rejected.length })
    // Rejections cost nothing to hold: the heap does not grow with the burst (generous bound for GC timing).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * 2 ** 20)
    // And the layer still serves queries afterwards.
    expect(
      (
        await layer
          .query('silver.trades')
          .aggregate((f) => ({ n: f.count() }))
          .rows()
      )[0]?.n,
    ).toBe(18 * TRADES_PER_SYMBOL_DAY)
    await layer.close()
  })

  it('completes all 1,000 when the queue is large enough', async () => {
    const layer = createQueryLayer(lake.catalog, { engine: createDuckDBEngine(), pool: { size: 2, maxQueue: 1000 } })
    const out = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        layer.sql`SELECT count(*) AS n FROM ${layer.ref('silver.trades')} WHERE price > ${100 + (i % 300)}`
          .rows()
          .then((r) => r[0]?.n as number),
      ),
    )
    expect(out).toHaveLength(1000)
    expect(out[0]).toBe(18 * TRADES_PER_SYMBOL_DAY)
    expect(out[299]).toBeLessThan(out[0] as number)
    await layer.close()
  })
})

describe('limits', () => {
  let layer: QueryLayer
  beforeAll(async () => {
    layer = createQueryLayer(lake.catalog, {
      engine: await createDuckDBEngine({ memoryLimit: '64MB', threads: 2 }),
      timeoutMs: 60_000,
      maxRows: 100,
      pool: { size: 1 },
    })
  })
  afterAll(() => layer?.close())

  it('interrupts a runaway query at its timeout, then serves the next one', async () => {
    const quick = createQueryLayer(lake.catalog, { engine: createDuckDBEngine(), timeoutMs: 300, pool: { size: 1 } })
    // Would take hours: 10^14 rows.
    const runaway = quick.sql`SELECT sum(a.range * b.range) AS s FROM range(1000000000) a, range(100000) b`
    await expect(runaway.rows()).rejects.toSatisfy(
      (e: unknown) => codeOf(e) === 'QUERY_TIMEOUT' && /interrupted/.test((e as Error).message),
    )
    // The same (single) connection, interrupted and health-checked, serves the next query.
    expect(await quick.sql`SELECT 41 + 1 AS x`.rows()).toEqual([{ x: 42 }])
    expect(quick.stats()).toMatchObject({ open: 1, replaced: 0 })
    await quick.close()
  })

  it('caps materialized results at maxRows, and streams past it with batches()', async () => {
    await expect(layer.query('silver.trades').rows()).rejects.toSatisfy((e: unknown) => codeOf(e) === 'CAPACITY')
    expect(await layer.query('silver.trades').limit(100).rows()).toHaveLength(100)
    let n = 0
    for await (const b of layer.query('silver.trades').where({ exchange: 'kraken' }).batches()) n += b.numRows
    expect(n).toBe(9 * TRADES_PER_SYMBOL_DAY)
  })

  it('enforces the memory limit without spilling to disk', async () => {
    // Its own layer: a generous timeout, so a loaded machine still reaches the memory limit first.
    const small = createQueryLayer(lake.catalog, {
      engine: await createDuckDBEngine({ memoryLimit: '64MB', threads: 2 }),
      timeoutMs: 120_000,
    })
    expect(
      await small.sql`SELECT current_setting('memory_limit') AS m, current_setting('temp_directory') AS t, current_setting('parquet_metadata_cache') AS c`.rows(),
    ).toEqual([{ m: '61.0 MiB', t: '', c: true }])
    const big = small.sql`SELECT count(DISTINCT x) AS n FROM (SELECT range::VARCHAR || 'abcdefghijkl' AS x FROM range(20000000))`
    await expect(big.rows()).rejects.toSatisfy((e: unknown) => codeOf(e) === 'CAPACITY' && /memoryLimit/.test((e as Error).message))
    expect(await small.sql`SELECT 1 AS one`.rows()).toEqual([{ one: 1 }])
    await small.close()
  })

  it('rejects bad options clearly', async () => {
    // Options are checked before the engine is used: a stand-in that cannot connect proves it.
    const unused: QueryEngine = { name: 'unused', connect: () => Promise.reject(new Error('never connected')), close: async () => {} }
    expect(() => createQueryLayer(lake.catalog, { engine: unused, timeoutMs: 0 })).toThrow(/timeoutMs must be a positive integer/)
    expect(() => createQueryLayer(lake.catalog, {} as never)).toThrow(/createQueryLayer needs \{ engine \}/)
    await expect(createDuckDBEngine({ memoryLimit: "1GB'; DROP" })).rejects.toMatchObject({ code: 'VALIDATION' })
    expect(() => createQueryLayer(lake.catalog, { engine: unused, pool: { size: 0 } })).toThrow(/pool size must be a positive integer/)
    expect(() => createQueryLayer(lake.catalog, { engine: unused, pool: { maxQueue: -1 } })).toThrow(/maxQueue/)
  })
})

describe('health checks', () => {
  it('replaces a connection that died while idle', async () => {
    const native = await createDuckDBEngine()
    const opened: EngineConnection[] = []
    const engine: QueryEngine = {
      name: 'duckdb',
      connect: async () => {
        const c = await native.connect()
        opened.push(c)
        return c
      },
      close: () => native.close(),
    }
    const layer = createQueryLayer(lake.catalog, { engine, pool: { size: 1, idleCheckMs: 0 } })
    expect(await layer.sql`SELECT 1 AS x`.rows()).toEqual([{ x: 1 }])
    await opened[0]?.close() // the connection dies behind the pool's back
    expect(await layer.sql`SELECT 2 AS x`.rows()).toEqual([{ x: 2 }])
    expect(layer.stats()).toMatchObject({ replaced: 1, open: 1 })
    expect(opened).toHaveLength(2)
    await layer.close()
    await native.close()
  })

  it('gives the connection back when a consumer stops reading batches early', async () => {
    const layer = createQueryLayer(lake.catalog, { engine: createDuckDBEngine(), pool: { size: 1, maxQueue: 0 } })
    for (let i = 0; i < 3; i++) {
      for await (const b of layer.query('silver.trades').batches()) {
        expect(b.numRows).toBeGreaterThan(0)
        break
      }
      expect(layer.stats()).toMatchObject({ busy: 0, open: 1 })
    }
    expect(await layer.sql`SELECT 7 AS x`.rows()).toEqual([{ x: 7 }])
    await layer.close()
  })

  it('rejects waiting and new queries once closed', async () => {
    const layer = createQueryLayer(lake.catalog, { engine: createDuckDBEngine(), pool: { size: 1 } })
    const running = layer.sql`SELECT count(*) AS n FROM range(1000)`.rows()
    const waiting = layer.sql`SELECT 1 AS x`.rows()
    await new Promise((r) => setTimeout(r, 0))
    await layer.close()
    const [a, b] = await Promise.allSettled([running, waiting])
    expect(a.status === 'fulfilled' || codeOf((a as PromiseRejectedResult).reason) === 'CLOSED').toBe(true)
    expect(b.status === 'fulfilled' || codeOf((b as PromiseRejectedResult).reason) === 'CLOSED').toBe(true)
    await expect(layer.sql`SELECT 1 AS x`.rows()).rejects.toMatchObject({ code: 'CLOSED' })
  })
})

describe('prepared statements cached per connection', () => {
  const values = async (conn: EngineConnection, sql: string, params: (string | number)[]) => {
    const out: unknown[] = []
    for await (const b of conn.stream(sql, params)) out.push(...(b.columns[0] ?? []))
    return out
  }

  it('bind each run its own values, never reuse a statement for other SQL text, and survive eviction', async () => {
    const engine = await createDuckDBEngine({ threads: 1 })
    const conn = await engine.connect()
    try {
      const plus = 'SELECT $1::BIGINT + 1 AS x'
      expect(await values(conn, plus, [1])).toEqual([2])
      expect(await values(conn, plus, [41])).toEqual([42])
      // Same placeholders, different text: a cached statement keyed loosely would answer 42 or 3.
      expect(await values(conn, 'SELECT $1::BIGINT * 10 AS x', [4])).toEqual([40])
      expect(await values(conn, 'SELECT $1::BIGINT * 10  AS x', [5])).toEqual([50])
      expect(await values(conn, 'SELECT $1::VARCHAR || $2::VARCHAR AS x', ['a', 'b'])).toEqual(['ab'])
      // More distinct texts than the cache holds: evicted statements are destroyed, the rest still run.
      for (let i = 0; i < 80; i++) expect(await values(conn, `SELECT $1::BIGINT + ${i} AS x`, [i])).toEqual([2 * i])
      expect(await values(conn, plus, [7])).toEqual([8])
      expect(await values(conn, 'SELECT $1::BIGINT + 79 AS x', [1])).toEqual([80])
      // A cached SELECT never lets another statement through.
      await expect(values(conn, 'CREATE TABLE t AS SELECT 1', [])).rejects.toMatchObject({ code: 'VALIDATION' })
    } finally {
      await conn.close()
      await engine.close()
    }
  })
})
