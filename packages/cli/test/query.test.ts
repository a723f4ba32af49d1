import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { openLake } from '@k2/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTemplate } from '../src/commands/query-sql.js'
import { fixtureTrades, makeLake, runK2, T0 } from './lake-fixture.js'

const MIN = 60_000_000
const iso = (us: number) => new Date(us / 1000).toISOString().replace('Z', '000Z')

describe('k2 query', () => {
  let fx: Awaited<ReturnType<typeof makeLake>>
  let firstSnapshot: string
  let firstCommitUs: number
  const trades = fixtureTrades(600)

  beforeAll(async () => {
    fx = await makeLake({ rollup: true })
    const lake = await openLake(fx.dir)
    try {
      const silver = await lake.table('silver.trades')
      const [first] = await silver.history()
      firstSnapshot = String(first?.snapshotId)
      firstCommitUs = first?.timestamp ?? 0
      await new Promise((r) => setTimeout(r, 20)) // a later commit time for the second snapshot
      await silver.append(fixtureTrades(50, { start: T0 + 86_400_000_000, firstId: 1600 })) // a second snapshot, a day later
    } finally {
      await lake.close()
    }
  }, 120_000)
  afterAll(() => fx?.cleanup())

  it('builder flags filter, select, order and limit; piped output is CSV with ISO times', async () => {
    const r = await runK2([
      'query',
      'silver.trades',
      '--lake',
      fx.dir,
      '--where',
      'exchange=binance',
      '--where',
      'symbol=BTC-USDT',
      '--where',
      'price>=90050',
      '--from',
      '2026-11-24T00:05:00Z',
      '--to',
      '2026-11-24T00:30:00Z',
      '--select',
      'id,price,ts',
      '--order-by',
      'ts:desc',
      '--limit',
      '3',
    ])
    expect(r.error).toBeUndefined()
    const want = trades
      .filter(
        (t) => t.exchange === 'binance' && t.symbol === 'BTC-USDT' && t.price >= 90050 && t.ts >= T0 + 5 * MIN && t.ts < T0 + 30 * MIN,
      )
      .sort((a, b) => b.ts - a.ts)
      .slice(0, 3)
    expect(want).toHaveLength(3)
    expect(r.out).toEqual(['id,price,ts', ...want.map((t) => `${t.id},${t.price},${iso(t.ts)}`)])
  })

  it('a terminal gets a boxed table; json and jsonl parse; --times us keeps epoch µs', async () => {
    const base = [
      'query',
      'silver.trades',
      '--lake',
      fx.dir,
      '--where',
      'symbol=ETH-USDT',
      '--select',
      'id,ts',
      '--order-by',
      'ts',
      '--limit',
      '2',
    ]
    const tty = await runK2(base, { stdoutIsTTY: true, columns: 100 })
    expect(tty.out[0]).toMatch(/^┌─+┬─+┐$/)
    expect(tty.out[1]).toMatch(/^│ id\s+│ ts\s+│$/)
    expect(tty.out.at(-1)).toContain('2 rows')
    const json = JSON.parse((await runK2([...base, '--format', 'json'])).stdout)
    expect(json).toEqual([
      { id: '1000', ts: iso(T0 + 1000) },
      { id: '1001', ts: iso(T0 + 7_000_000 + 1000) },
    ])
    const lines = (await runK2([...base, '--format', 'jsonl', '--times', 'us'])).out.map((l) => JSON.parse(l))
    expect(lines).toEqual([
      { id: '1000', ts: T0 + 1000 },
      { id: '1001', ts: T0 + 7_000_000 + 1000 },
    ])
  })

  it('--bucket 1m --agg ohlcv gives the candles of the trades', async () => {
    const r = await runK2([
      'query',
      'silver.trades',
      '--lake',
      fx.dir,
      '--where',
      'exchange=kraken',
      '--to',
      '2026-11-24T00:10:00Z',
      '--bucket',
      '1m',
      '--agg',
      'ohlcv',
      '--format',
      'json',
      '--times',
      'us',
    ])
    const got = JSON.parse(r.stdout) as { start: number; open: number; high: number; low: number; close: number; trades: number }[]
    const mine = trades.filter((t) => t.exchange === 'kraken' && t.ts < T0 + 10 * MIN)
    const starts = [...new Set(mine.map((t) => Math.floor(t.ts / MIN) * MIN))]
    expect(got.map((c) => c.start)).toEqual(starts)
    for (const c of got) {
      const inside = mine.filter((t) => Math.floor(t.ts / MIN) * MIN === c.start)
      expect(c).toMatchObject({
        open: inside[0]?.price,
        close: inside.at(-1)?.price,
        high: Math.max(...inside.map((t) => t.price)),
        low: Math.min(...inside.map((t) => t.price)),
        trades: inside.length,
      })
    }
  })

  it('--sql binds {table} refs and --param values', async () => {
    const r = await runK2([
      'query',
      '--lake',
      fx.dir,
      '--format',
      'csv',
      '--sql',
      'select symbol, count(*) as n from {silver.trades} where price > {p} and exchange = {ex} group by 1 order by 1',
      '--param',
      'p=50000',
      '--param',
      'ex:string=binance',
    ])
    expect(r.error).toBeUndefined()
    expect(r.out).toEqual(['symbol,n', 'BTC-USDT,650'])
  })

  it('an injection attempt in --param is a value: it matches nothing and changes no SQL', async () => {
    const sql = 'select count(*) as n from {silver.trades} where symbol = {s}'
    const hostile = await runK2(['query', '--lake', fx.dir, '--format', 'csv', '--sql', sql, '--param', "s=BTC-USDT' OR '1'='1"])
    expect(hostile.out).toEqual(['n', '0'])
    const stacked = await runK2(['query', '--lake', fx.dir, '--format', 'csv', '--sql', sql, '--param', "s=x'; drop table t; --"])
    expect(stacked.out).toEqual(['n', '0'])
    const honest = await runK2(['query', '--lake', fx.dir, '--format', 'csv', '--sql', sql, '--param', 's=BTC-USDT'])
    expect(honest.out).toEqual(['n', '1300'])
    // The statement DuckDB prepares is the same text whatever the value; the value is a parameter.
    const lake = await openLake(fx.dir)
    try {
      const compiled = async (value: string) => {
        const t = buildTemplate(lake, sql, [{ name: 's', type: 'auto', text: value }])
        return lake.sql(t.strings, ...t.values).toSQL()
      }
      const a = await compiled("BTC-USDT' OR '1'='1")
      const b = await compiled('BTC-USDT')
      expect(a.sql).toBe(b.sql)
      expect(a.sql).not.toContain('BTC')
      expect(a.params).toContain("BTC-USDT' OR '1'='1")
    } finally {
      await lake.close()
    }
  })

  it('refuses unknown placeholders, unused params, statements other than SELECT, and builder flags with --sql', async () => {
    const unknown = await runK2(['query', '--lake', fx.dir, '--sql', 'select * from {silver.trades} where price > {nope}'])
    expect(unknown.code).toBe(2)
    expect(String(unknown.error)).toContain('{nope}')
    const unused = await runK2(['query', '--lake', fx.dir, '--sql', 'select 1 as one', '--param', 'p=1'])
    expect(unused.code).toBe(2)
    const copy = await runK2(['query', '--lake', fx.dir, '--sql', "copy (select 1) to '/tmp/x.csv'"])
    expect(copy.code).not.toBe(0)
    const mixed = await runK2(['query', '--lake', fx.dir, '--sql', 'select 1 as one', '--limit', '1'])
    expect(mixed.code).toBe(2)
    const braces = await runK2(['query', '--lake', fx.dir, '--format', 'csv', '--sql', "select {{'a': 1}} as s"])
    expect(braces.code).toBe(0)
    expect(braces.out[1]).toContain('a') // {{ and }} are literal braces: a DuckDB struct
  })

  it('--as-of reads an earlier snapshot, by id or by time', async () => {
    const count = async (asOf: string[]) =>
      (await runK2(['query', '--lake', fx.dir, '--format', 'csv', '--sql', 'select count(*) as n from {silver.trades}', ...asOf])).out[1]
    expect(await count([])).toBe('1950')
    expect(await count(['--as-of', firstSnapshot])).toBe('1800')
    expect(await count(['--as-of', new Date(firstCommitUs / 1000 + 5).toISOString()])).toBe('1800')
    const builder = await runK2(['query', 'silver.trades', '--lake', fx.dir, '--as-of', firstSnapshot, '--agg', 'count', '--format', 'csv'])
    expect(builder.out).toEqual(['count', '1800'])
    const missing = await runK2(['query', 'silver.trades', '--lake', fx.dir, '--as-of', '12345'])
    expect(missing.code).toBe(3)
  })

  it('--format parquet writes a file DuckDB reads back with TIMESTAMPTZ times', async () => {
    const file = join(fx.root, 'eth.parquet')
    const r = await runK2(['query', 'silver.trades', '--lake', fx.dir, '--where', 'symbol=ETH-USDT', '--format', 'parquet', '-o', file])
    expect(r.error).toBeUndefined()
    const db = await DuckDBInstance.create(':memory:')
    const conn = await db.connect()
    try {
      const rows = (
        await conn.runAndReadAll(
          `select count(*)::int as n, min(id) as id, typeof(min(ts)) as t, epoch_us(min(ts))::bigint as ts from '${file}'`,
        )
      ).getRowObjects()
      expect(rows[0]).toMatchObject({ n: 650, id: '1000', t: 'TIMESTAMP WITH TIME ZONE', ts: BigInt(T0 + 1000) })
    } finally {
      conn.closeSync()
      db.closeSync()
    }
    expect((await runK2(['query', 'silver.trades', '--lake', fx.dir, '--format', 'parquet'])).code).toBe(2)
    // The extension picks the format when --format is not given.
    const byName = join(fx.root, 'btc.parquet')
    await runK2(['query', 'silver.trades', '--lake', fx.dir, '--where', 'symbol=BTC-USDT', '-o', byName])
    expect(readFileSync(byName).subarray(0, 4).toString()).toBe('PAR1')
  })

  it('helpful errors: an unknown column or table, a value of the wrong type, a missing table, too many rows', async () => {
    const col = await runK2(['query', 'silver.trades', '--lake', fx.dir, '--where', 'colour=red'])
    expect(col.code).toBe(2)
    expect(String(col.error)).toContain('its columns are exchange, symbol, id')
    const typed = await runK2(['query', 'silver.trades', '--lake', fx.dir, '--where', 'price>=cheap'])
    expect(String(typed.error)).toContain('must be a number')
    expect((await runK2(['query', 'silver.nope', '--lake', fx.dir])).code).toBe(2)
    const absent = await runK2(['query', 'silver.book', '--lake', fx.dir])
    expect(absent.code).toBe(3)
    expect(String(absent.error)).toContain('silver.book does not exist')
    const capped = await runK2(['query', 'silver.trades', '--lake', fx.dir, '--max-rows', '10'])
    expect(capped.code).not.toBe(0)
    expect(String(capped.error)).toMatch(/CAPACITY|10/)
  })
})
