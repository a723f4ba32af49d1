import { K2Error } from '@k2/core'
import { createQueryLayer, lineageOf, type QueryLayer } from '@k2/query'
import { createDuckDBEngine } from '@k2/query/duckdb'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
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

describe('the sql template', () => {
  it('runs the issue example: avg price per symbol after a time', async () => {
    const t0 = new Date('2024-03-02T00:00:00Z')
    const r = await layer.sql`select symbol, avg(price) as p from ${layer.ref('silver.trades')} where ts > ${t0} group by 1 order by 1`
    const expected = await reference(
      lake.conn,
      `select symbol, avg(price) as p from read_parquet(${JSON.stringify(lake.tradeFiles).replaceAll('"', "'")}) where ts > '2024-03-02T00:00:00Z'::TIMESTAMPTZ group by 1 order by 1`,
    )
    // avg over doubles depends on summation order, which DuckDB's threads vary: compare to 1e-9.
    expect(r.rows.map((x) => x.symbol)).toEqual(expected.map((x) => x.symbol))
    for (const [i, x] of r.rows.entries()) expect(x.p as number).toBeCloseTo(expected[i]?.p as number, 9)
    expect(r.lineage.tables).toEqual([{ table: 'silver.trades', snapshotId: String(lake.snapshots[2]) }])
    expect(lineageOf(r.rows)).toBe(r.lineage)
  })

  it('binds every interpolation, in order, with the SQL text as written', async () => {
    const q = layer.sql`select ${1} as a, ${'x'} as b, ${[1, 2]} as c, ${['p', 'q']} as d, ${layer.time(DAY0)} as e, ${2n ** 40n} as f`
    const { sql, params } = await q.toSQL()
    expect(sql).toBe('select $1 as a, $2 as b, $3 as c, $4 as d, make_timestamp($5::BIGINT)::TIMESTAMPTZ as e, $6 as f')
    expect(params).toEqual([1, 'x', [1, 2], ['p', 'q'], DAY0, 2n ** 40n])
    expect(await q.rows()).toEqual([{ a: 1, b: 'x', c: [1, 2], d: ['p', 'q'], e: DAY0, f: 2 ** 40 }])
  })

  it('splices a table only through ref(), at the snapshot asked for', async () => {
    const count = async (asOf?: bigint) =>
      (
        await layer.sql`select count(*) as n from ${asOf === undefined ? layer.ref('silver.trades') : layer.ref('silver.trades', asOf)}`.rows()
      )[0]?.n
    expect(await count()).toBe(18 * TRADES_PER_SYMBOL_DAY)
    expect(await count(lake.snapshots[0])).toBe(6 * TRADES_PER_SYMBOL_DAY)
    const joined =
      await layer.sql`select count(*) as n from ${layer.ref('silver.trades')} t join ${layer.ref('silver.book')} b using (exchange, symbol, ts)`
    expect(joined.lineage.tables.map((t) => t.table)).toEqual(['silver.trades', 'silver.book'])
    const plan = await layer.sql`select 1 from ${layer.ref('silver.trades', lake.snapshots[1] as bigint)}`.explain()
    expect(plan.tables[0]?.files).toHaveLength(4)
    expect(plan.params[0]).toEqual(lake.tradeFiles.slice(0, 4))
  })

  it('declares row types with as<T>() and returns Arrow too', async () => {
    const q = layer.sql`select symbol, count(*) as n from ${layer.ref('silver.trades')} group by 1 order by 1`.as<{
      symbol: string
      n: number
    }>()
    const rows = await q.rows()
    expectTypeOf(rows).toEqualTypeOf<{ symbol: string; n: number }[]>()
    expect(rows.map((r) => r.n)).toEqual([6, 6, 6].map((k) => k * TRADES_PER_SYMBOL_DAY))
    const t = await q.arrow()
    expect(t.getChild('symbol')?.toArray()).toEqual(['BTC-USDT', 'ETH-USDT', 'SOL-USDT'])
  })

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['undefined', undefined],
    ['an object', { a: 1 }],
    ['a forged ref', { kind: 'ref', table: 'silver.trades', asOf: null }],
    ['a function', () => 1],
    ['a mixed list', [1, 'a']],
    ['a bigint over 64 bits', 2n ** 64n],
    ['an invalid Date', new Date(Number.NaN)],
  ])('rejects %s with VALIDATION', (_name, value) => {
    expect(() => layer.sql`select ${value} as x`).toThrow(expect.objectContaining({ code: 'VALIDATION' }))
  })

  it('reports SQL errors as QueryError with the sql and params', async () => {
    const err = await layer.sql`select nope from ${layer.ref('silver.trades')} where price > ${1}`.rows().catch((e: unknown) => e)
    expect(K2Error.isInstance(err) && err.code).toBe('QUERY')
    expect(err).toMatchObject({ name: 'QueryError', params: [expect.any(Array), 1] })
    expect((err as { sql: string }).sql).toContain('select nope from')
  })
})
