import { fromIso, K2Error, MICROS_PER_MINUTE } from '@k2/core'
import { createQueryLayer, lineageOf, type QueryLayer } from '@k2/query'
import { createDuckDBEngine } from '@k2/query/duckdb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFixtureLake, DAY0, type FixtureLake, reference, TRADES_PER_SYMBOL_DAY } from './support/fixture-lake.js'

let lake: FixtureLake
let layer: QueryLayer
beforeAll(async () => {
  lake = await createFixtureLake()
  layer = createQueryLayer(lake.catalog, { engine: createDuckDBEngine() })
})
afterAll(async () => {
  await layer?.close()
  await lake?.close()
})

const allTrades = () => `read_parquet(${JSON.stringify(lake.tradeFiles).replaceAll('"', "'")})`

describe('the issue example', () => {
  const from = '2024-03-01T00:00:00Z'
  const to = '2024-03-01T00:10:00Z'
  const q = () =>
    layer
      .query('silver.trades')
      .where({ exchange: 'binance', symbol: ['BTC-USDT', 'ETH-USDT'] })
      .between('ts', from, to)
      .select('ts', 'price', 'qty', 'side')
      .orderBy('ts')
      .limit(1000)

  it('compiles to one statement with every value bound', async () => {
    const { sql, params } = await q().toSQL()
    expect(sql).toBe(
      'SELECT "t"."ts" AS "ts", "t"."price" AS "price", "t"."qty" AS "qty", "t"."side" AS "side" FROM read_parquet($1::VARCHAR[], hive_partitioning = false) AS "t" ' +
        `WHERE "t"."exchange" = $2::VARCHAR AND "t"."symbol" IN ($3::VARCHAR, $4::VARCHAR) ` +
        'AND "t"."ts" >= make_timestamp($5::BIGINT)::TIMESTAMPTZ AND "t"."ts" <= make_timestamp($6::BIGINT)::TIMESTAMPTZ ' +
        'ORDER BY "ts" ASC LIMIT $7::BIGINT',
    )
    // Pruning kept only day 0 / binance.
    expect(params).toEqual([[lake.tradeFiles[0]], 'binance', 'BTC-USDT', 'ETH-USDT', fromIso(from), fromIso(to), 1000])
  })

  it('returns the same rows as hand-written SQL, times as epoch µs', async () => {
    const rows = await q().rows()
    const expected = await reference(
      lake.conn,
      `SELECT ts, price, qty, side FROM ${allTrades()} WHERE exchange = 'binance' AND symbol IN ('BTC-USDT', 'ETH-USDT')
       AND ts BETWEEN '${from}'::TIMESTAMPTZ AND '${to}'::TIMESTAMPTZ ORDER BY ts, symbol`,
    )
    expect(rows).toHaveLength(2 * 21)
    expect(rows.map((r) => r.ts)).toEqual(expected.map((r) => r.ts))
    expect(new Set(rows.map((r) => `${r.ts}/${r.price}`))).toEqual(new Set(expected.map((r) => `${r.ts}/${r.price}`)))
    expect(typeof rows[0]?.ts).toBe('number')
  })

  it('returns an Arrow table with the same content and lineage in its metadata', async () => {
    // One execution: ts ties between the two symbols may come back in either order from run to run.
    const { table, rows } = await q().execute()
    expect((await q().arrow()).numRows).toBe(rows.length)
    expect(table.numRows).toBe(rows.length)
    expect(table.schema.fields.map((f) => f.name)).toEqual(['ts', 'price', 'qty', 'side'])
    expect(table.schema.fields[0]?.metadata.get('k2.unit')).toBe('epoch_us')
    expect(table.toArray().map((r) => ({ ...r.toJSON() }))).toEqual(rows)
    expect(JSON.parse(table.schema.metadata.get('k2.lineage') ?? '{}')).toEqual(lineageOf(table))
  })

  it('streams the same rows in batches', async () => {
    let n = 0
    for await (const batch of layer.query('silver.trades').where({ symbol: 'SOL-USDT' }).batches()) n += batch.numRows
    expect(n).toBe(3 * 2 * TRADES_PER_SYMBOL_DAY)
  })
})

describe('where', () => {
  const count = async (q: { rows(): Promise<unknown[]> }) => (await q.rows()).length
  const ref = async (where: string) => Number((await reference(lake.conn, `SELECT count(*) AS n FROM ${allTrades()} WHERE ${where}`))[0]?.n)

  it.each([
    ['equality', () => layer.query('silver.trades').where({ side: 'buy', exchange: 'kraken' }), "side = 'buy' AND exchange = 'kraken'"],
    ['IN list', () => layer.query('silver.trades').where('symbol', 'in', ['BTC-USDT', 'SOL-USDT']), "symbol IN ('BTC-USDT', 'SOL-USDT')"],
    ['NOT IN list', () => layer.query('silver.trades').where({ symbol: { notIn: ['BTC-USDT'] } }), "symbol NOT IN ('BTC-USDT')"],
    ['range operators', () => layer.query('silver.trades').where({ price: { gte: 200, lt: 201.5 } }), 'price >= 200 AND price < 201.5'],
    ['three-argument >', () => layer.query('silver.trades').where('qty', '>', 4.5), 'qty > 4.5'],
    ['!=', () => layer.query('silver.trades').where('side', '!=', 'buy'), "side != 'buy'"],
    ['is not null', () => layer.query('silver.trades').where('recv_ts', 'is not null'), 'recv_ts IS NOT NULL'],
    ['null object form', () => layer.query('silver.trades').where({ side: null }), 'side IS NULL'],
    [
      'time range by µs',
      () => layer.query('silver.trades').where({ ts: { gt: DAY0 + 3_600_000_000, lte: DAY0 + 7_200_000_000 } }),
      `ts > '2024-03-01T01:00:00Z'::TIMESTAMPTZ AND ts <= '2024-03-01T02:00:00Z'::TIMESTAMPTZ`,
    ],
    [
      'time by Date',
      () => layer.query('silver.trades').where('ts', '<', new Date('2024-03-01T00:01:00Z')),
      `ts < '2024-03-01T00:01:00Z'::TIMESTAMPTZ`,
    ],
    ['empty IN matches nothing', () => layer.query('silver.trades').where({ symbol: [] }), 'false'],
  ])('%s agrees with DuckDB', async (_name, build, where) => {
    const expected = await ref(where)
    expect(await count(build())).toBe(expected)
  })

  it('rejects unknown columns, bad operators and mistyped values at run time', () => {
    const q = layer.query('silver.trades') as unknown as { where: (...a: unknown[]) => unknown }
    const codes = [
      () => q.where({ nope: 1 }),
      () => q.where('price', 'LIKE', 1),
      () => q.where({ price: 'cheap' }),
      () => q.where({ price: { gt: Number.NaN } }),
      () => q.where({ ts: 'yesterday' }),
      () => q.where({ price: { between: [1, 2] } }),
      () => q.where('price', '=', null),
      () => q.where('symbol', 'in', 'BTC-USDT'),
    ].map((f) => {
      try {
        f()
        return 'no error'
      } catch (e) {
        return K2Error.isInstance(e) ? e.code : 'other'
      }
    })
    expect(codes).toEqual(Array(8).fill('VALIDATION'))
  })
})

describe('aggregates, buckets, groupBy', () => {
  it('computes 1-minute OHLCV from trades like hand-written SQL', async () => {
    const from = DAY0
    const to = DAY0 + 60 * MICROS_PER_MINUTE - 1
    const q = layer
      .query('silver.trades')
      .where({ exchange: 'binance', symbol: 'ETH-USDT' })
      .between('ts', from, to)
      .bucket('1m', { as: 'start' })
      .aggregate((f) => ({
        open: f.first('price'),
        high: f.max('price'),
        low: f.min('price'),
        close: f.last('price'),
        volume: f.sum('qty'),
        trades: f.count(),
        vwapNum: f.avg('price'),
      }))
      .orderBy('start')
    const { sql } = await q.toSQL()
    expect(sql).toContain('arg_min("t"."price", "t"."ts") AS "open"')
    expect(sql).toContain('GROUP BY 1')
    const rows = await q.rows()
    const expected = await reference(
      lake.conn,
      `SELECT epoch_us(time_bucket(INTERVAL 1 minute, ts)) AS start, arg_min(price, ts) AS open, max(price) AS high, min(price) AS low,
         arg_max(price, ts) AS close, sum(qty) AS volume, count(*) AS trades, avg(price) AS vwapNum
       FROM ${allTrades()} WHERE exchange = 'binance' AND symbol = 'ETH-USDT' AND ts >= make_timestamp(${from}) AND ts <= make_timestamp(${to})
       GROUP BY 1 ORDER BY 1`,
    )
    expect(rows).toHaveLength(60)
    expect(rows).toEqual(expected)
  })

  it('groups by columns and by buckets wider than a day, epoch-aligned', async () => {
    const rows = await layer
      .query('silver.trades')
      .groupBy('exchange', 'symbol')
      .bucket('2d')
      .aggregate((f) => ({ n: f.count(), ids: f.countDistinct('id') }))
      .orderBy('exchange')
      .orderBy('symbol')
      .orderBy('bucket')
      .rows()
    // 2024-03-01 is day 19783 since 1970 (odd): its 2-day bucket starts on 29 Feb. Ids repeat daily.
    expect(rows[0]).toEqual({
      exchange: 'binance',
      symbol: 'BTC-USDT',
      bucket: fromIso('2024-02-29'),
      n: TRADES_PER_SYMBOL_DAY,
      ids: TRADES_PER_SYMBOL_DAY,
    })
    expect(rows[1]).toEqual({
      exchange: 'binance',
      symbol: 'BTC-USDT',
      bucket: fromIso('2024-03-02'),
      n: 2 * TRADES_PER_SYMBOL_DAY,
      ids: TRADES_PER_SYMBOL_DAY,
    })
    expect(rows).toHaveLength(2 * 3 * 2)
  })

  it('rejects aggregates on the wrong column types and bad aliases', () => {
    const q = layer.query('silver.trades')
    expect(() => q.aggregate((f) => ({ x: (f.sum as (c: string) => never)('side') }))).toThrow(/numeric column/)
    expect(() => q.aggregate((f) => ({ 'bad alias': f.count() }))).toThrow(/invalid output alias/)
    expect(() => q.select('price').aggregate((f) => ({ price: f.count() }))).toThrow(/selected twice/)
    expect(() => q.bucket('1x' as '1m')).toThrow(/invalid timeframe/)
  })
})

describe('orderBy, limit, offset', () => {
  it('pages through a symbol in order', async () => {
    const base = layer.query('silver.trades').where({ exchange: 'kraken', symbol: 'BTC-USDT' }).select('ts', 'id').orderBy('ts', 'desc')
    const page1 = await base.limit(5).rows()
    const page2 = await base.limit(5).offset(5).rows()
    const ten = await base.limit(10).rows()
    expect([...page1, ...page2]).toEqual(ten)
    expect(ten.map((r) => r.ts)).toEqual([...ten.map((r) => r.ts)].sort((a, b) => b - a))
    expect(await base.limit(0).rows()).toEqual([])
  })

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, '10' as unknown as number])('rejects limit %s', (n) => {
    expect(() => layer.query('silver.trades').limit(n)).toThrow(expect.objectContaining({ code: 'VALIDATION' }))
    expect(() => layer.query('silver.trades').offset(n)).toThrow(expect.objectContaining({ code: 'VALIDATION' }))
  })
})

describe('asOf, lineage and empty snapshots', () => {
  const countAt = async (asOf?: Parameters<ReturnType<QueryLayer['query']>['asOf']>[0]) => {
    const q = layer.query('silver.trades').aggregate((f) => ({ n: f.count() }))
    return (await (asOf === undefined ? q : q.asOf(asOf)).rows())[0]?.n
  }
  const perDay = 2 * 3 * TRADES_PER_SYMBOL_DAY

  it('travels by snapshot id, by time and by lineage', async () => {
    expect(await countAt()).toBe(3 * perDay)
    expect(await countAt(lake.snapshots[0])).toBe(perDay)
    expect(await countAt({ snapshotId: lake.snapshots[1] as bigint })).toBe(2 * perDay)
    expect(await countAt(new Date((lake.commitTimes[1] as number) / 1000 + 1))).toBe(2 * perDay)
    expect(await countAt({ at: lake.commitTimes[0] as number })).toBe(perDay)
    expect(await countAt({ snapshot: String(lake.snapshots[1]) })).toBe(2 * perDay)
    const first = await layer
      .query('silver.trades')
      .asOf(lake.snapshots[0] as bigint)
      .where({ symbol: 'BTC-USDT' })
      .limit(3)
      .orderBy('ts')
      .orderBy('exchange')
      .execute()
    expect(first.lineage.tables).toEqual([{ table: 'silver.trades', snapshotId: String(lake.snapshots[0]) }])
    // A lineage stored as JSON reproduces the same SQL, params and rows.
    const stored = JSON.parse(JSON.stringify(first.lineage))
    const again = await layer
      .query('silver.trades')
      .asOf(stored)
      .where({ symbol: 'BTC-USDT' })
      .limit(3)
      .orderBy('ts')
      .orderBy('exchange')
      .execute()
    expect(again.lineage.fingerprint).toBe(first.lineage.fingerprint)
    expect(again.rows).toEqual(first.rows)
    const latest = await layer.query('silver.trades').where({ symbol: 'BTC-USDT' }).limit(3).orderBy('ts').orderBy('exchange').execute()
    expect(latest.lineage.fingerprint).not.toBe(first.lineage.fingerprint)
  })

  it('never guesses what a plain number or a digit string means (issue #10)', async () => {
    const id = lake.snapshots[0] as bigint
    // Before: a number was read as a time, so asOf(Number(id)) silently read the current snapshot.
    await expect(countAt(Number(id) as never)).rejects.toMatchObject({ code: 'VALIDATION', message: /BigInt\('<id>'\).*\{ at: / })
    // Before: a digit string was parsed as an ISO time and failed as a bad time.
    await expect(countAt(String(id))).rejects.toMatchObject({ code: 'VALIDATION', message: /looks like a snapshot id.*\{ snapshot: / })
    expect(await countAt({ snapshot: String(id) })).toBe(perDay)
    await expect(countAt({ snapshot: 1.5 } as never)).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(countAt({ snapshot: id, at: 0 } as never)).rejects.toMatchObject({ code: 'VALIDATION', message: /not both/ })
    await expect(countAt({ snapshot: 2n ** 63n } as never)).rejects.toMatchObject({ code: 'VALIDATION', message: /64-bit/ })
  })

  it('fails clearly for an unknown snapshot', async () => {
    await expect(countAt(999_999n)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('queries a table with no snapshot as a typed empty result', async () => {
    const table = await layer.query('gold.ohlcv').where({ symbol: 'BTC-USDT' }).select('start', 'close', 'trades').arrow()
    expect(table.numRows).toBe(0)
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['start:Float64', 'close:Float64', 'trades:Float64'])
    const agg = await layer
      .query('gold.ohlcv')
      .aggregate((f) => ({ n: f.count(), v: f.sum('volume') }))
      .rows()
    expect(agg).toEqual([{ n: 0, v: null }])
    const r = await layer.query('gold.ohlcv').execute()
    expect(r.lineage.tables).toEqual([{ table: 'gold.ohlcv', snapshotId: null }])
  })

  it('queries a fully pruned snapshot as an empty result of the right columns', async () => {
    const q = layer.query('silver.trades').where({ exchange: 'coinbase' })
    const plan = await q.explain()
    expect(plan.tables[0]?.files.every((f) => !f.chosen)).toBe(true)
    expect(plan.sql).toContain('LIMIT 0')
    const rows = await q.rows()
    expect(rows).toEqual([])
    expect((await q.arrow()).schema.fields.map((f) => f.name)).toEqual([
      'exchange',
      'symbol',
      'id',
      'price',
      'qty',
      'side',
      'ts',
      'recv_ts',
    ])
  })
})

describe('as-of join', () => {
  it('gives each trade the prevailing bid, like DuckDB ASOF JOIN by hand', async () => {
    const rows = await layer
      .query('silver.trades')
      .where({ exchange: 'kraken', symbol: 'ETH-USDT' })
      .between('ts', DAY0, DAY0 + 10 * MICROS_PER_MINUTE)
      .select('ts', 'price')
      .asofJoin(layer.query('silver.book').where({ side: 'bid' }), { using: ['exchange', 'symbol'], select: { bid: 'price', bidTs: 'ts' } })
      .orderBy('ts')
      .rows()
    const book = `read_parquet(${JSON.stringify(lake.bookFiles).replaceAll('"', "'")})`
    const expected = await reference(
      lake.conn,
      `SELECT t.ts, t.price, b.price AS bid, b.ts AS bidTs FROM ${allTrades()} t
       ASOF LEFT JOIN (SELECT * FROM ${book} WHERE side = 'bid') b ON t.exchange = b.exchange AND t.symbol = b.symbol AND t.ts >= b.ts
       WHERE t.exchange = 'kraken' AND t.symbol = 'ETH-USDT' AND t.ts BETWEEN make_timestamp(${DAY0}) AND make_timestamp(${DAY0 + 10 * MICROS_PER_MINUTE})
       ORDER BY t.ts`,
    )
    expect(rows).toEqual(expected)
    expect(rows[0]?.bid).toBeNull() // the first trade precedes the first book snapshot
    for (const r of rows.slice(1)) expect(r.bidTs as number).toBeLessThanOrEqual(r.ts)
  })

  it('records both tables in the lineage', async () => {
    const r = await layer
      .query('silver.trades')
      .limit(1)
      .asofJoin(layer.query('silver.book'), { using: ['exchange', 'symbol'], select: { bookPrice: 'price' } })
      .execute()
    expect(r.lineage.tables.map((t) => t.table)).toEqual(['silver.trades', 'silver.book'])
  })
})

describe('builder nodes', () => {
  it('are frozen down to their lists, from the first builder on, so a base query can be shared', () => {
    const base = layer.query('silver.trades')
    const nodes = [base, base.where({ symbol: 'BTC-USDT' }).select('ts').orderBy('ts')].map((b) => b.toNode())
    for (const node of nodes) {
      expect(Object.isFrozen(node)).toBe(true)
      for (const list of [node.filters, node.selections, node.orderBy]) expect(Object.isFrozen(list)).toBe(true)
    }
    const [empty, narrowed] = nodes as [(typeof nodes)[0], (typeof nodes)[0]]
    expect(empty.filters).toHaveLength(0)
    expect(narrowed.filters).toHaveLength(1)
    expect(() => (empty.filters as unknown[]).push({})).toThrow(TypeError)
  })
})
