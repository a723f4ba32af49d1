import type { Tables } from '@k2/core'
import { createQueryLayer, type QueryResult } from '@k2/query'
import { createDuckDBEngine } from '@k2/query/duckdb'
import { afterAll, describe, expectTypeOf, it } from 'vitest'
import { ParquetCatalog } from './support/parquet-catalog.js'

// Type tests: these compile only if the builder's types are right. Each `@ts-expect-error` line
// must fail to compile (tsc reports an unused directive otherwise), and each also throws at run time.
const layer = createQueryLayer(new ParquetCatalog(), { engine: createDuckDBEngine() })
afterAll(() => layer.close())

const throwsValidation = (f: () => unknown) => {
  try {
    f()
  } catch (e) {
    return (e as { code?: string }).code === 'VALIDATION'
  }
  return false
}

describe('types flow from Tables', () => {
  it('types rows from the table, selections, aggregates, buckets and joins', () => {
    expectTypeOf(layer.query('silver.trades').rows).returns.resolves.toEqualTypeOf<Tables['silver.trades'][]>()
    const picked = layer.query('silver.trades').select('ts', 'price', 'side')
    expectTypeOf(picked.rows).returns.resolves.toEqualTypeOf<{ ts: number; price: number; side: string }[]>()
    const agg = layer
      .query('silver.trades')
      .groupBy('symbol')
      .bucket('1m', { as: 'start' })
      .aggregate((f) => ({ n: f.count(), vol: f.sum('qty'), open: f.first('price'), hi: f.max('ts') }))
    expectTypeOf(agg.rows).returns.resolves.toEqualTypeOf<
      { symbol: string; start: number; n: number; vol: number | null; open: number | null; hi: number | null }[]
    >()
    const joined = layer
      .query('silver.trades')
      .select('ts')
      .asofJoin(layer.query('silver.book'), { using: ['exchange', 'symbol'], select: { bid: 'price', seq: 'sequence' } })
    expectTypeOf(joined.execute).returns.resolves.toEqualTypeOf<QueryResult<{ ts: number; bid: number | null; seq: number | null }>>()
  })

  it('rejects typos and wrong types at compile time (and at run time)', () => {
    const q = layer.query('silver.trades')
    const bad = [
      // @ts-expect-error: not a column
      () => q.select('prize'),
      // @ts-expect-error: not a column
      () => q.where({ symbl: 'BTC-USDT' }),
      // @ts-expect-error: price is a number
      () => q.where({ price: 'cheap' }),
      // @ts-expect-error: no such operator
      () => q.where('price', 'LIKE', 1),
      // @ts-expect-error: side is not numeric
      () => q.aggregate((f) => ({ s: f.sum('side') })),
      // @ts-expect-error: not a time column
      () => q.bucket('1m', { column: 'price' }),
      // @ts-expect-error: between needs the column's type
      () => q.between('ts', true, false),
      // @ts-expect-error: not a column of silver.book
      () => q.asofJoin(layer.query('silver.book'), { using: ['exchange'], select: { x: 'vwap' } }),
      // @ts-expect-error: not a table
      () => layer.query('silver.trade'),
      // @ts-expect-error: order by something that is neither a column nor an output
      () => q.orderBy('nope'),
    ]
    for (const f of bad) if (!throwsValidation(f)) throw new Error(`expected VALIDATION from ${f}`)
  })

  it('accepts every time form for timestamptz columns', () => {
    const q = layer.query('silver.trades')
    expectTypeOf(q.between<'ts'>)
      .parameter(1)
      .toEqualTypeOf<Date | string | number>()
    expectTypeOf(q.between<'price'>)
      .parameter(1)
      .toEqualTypeOf<number>()
    q.between('ts', new Date(0), '2024-01-01T00:00:00Z').where({ recv_ts: { gte: 1_700_000_000_000_000 } })
    q.where('ts', 'in', [new Date(0), 0, '2024-01-01'])
  })
})
