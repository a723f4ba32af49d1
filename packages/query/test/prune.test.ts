import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { type DataFile, fromIso, MICROS_PER_DAY, MICROS_PER_HOUR } from '@k2/core'
import { checkDataFilePath, createQueryLayer, type FilterNode, mayHoldMatch, pruneReasons, type QueryLayer } from '@k2/query'
import { createDuckDBEngine } from '@k2/query/duckdb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFixtureLake, DAY0, type FixtureLake } from './support/fixture-lake.js'
import { ParquetCatalog } from './support/parquet-catalog.js'

const file = (over: Partial<DataFile>): DataFile => ({
  path: '/lake/x.parquet',
  recordCount: 10,
  fileSizeBytes: 1000,
  partition: {},
  lowerBounds: {},
  upperBounds: {},
  nullCounts: {},
  ...over,
})
const cmp = (column: string, op: '=' | '!=' | '<' | '<=' | '>' | '>=', value: string | number): FilterNode => ({
  kind: 'compare',
  column,
  op,
  value,
})

describe('pruneReasons', () => {
  const f = file({
    partition: { ts_day: Math.round(DAY0 / MICROS_PER_DAY), exchange: 'kraken' },
    lowerBounds: { price: 100, symbol: 'BTC-USDT' },
    upperBounds: { price: 200, symbol: 'ETH-USDT' },
    nullCounts: { price: 0, symbol: 0 },
  })
  it.each([
    [[cmp('price', '>', 200)], false],
    [[cmp('price', '>=', 200)], true],
    [[cmp('price', '<', 100)], false],
    [[cmp('price', '<=', 100)], true],
    [[cmp('price', '=', 150)], true],
    [[cmp('price', '=', 250)], false],
    [[cmp('symbol', '=', 'SOL-USDT')], false],
    [[cmp('symbol', '=', 'DOGE-USDT')], true],
    [[{ kind: 'in', column: 'symbol', values: ['AAA-USDT', 'SOL-USDT'], negated: false } as FilterNode], false],
    [[{ kind: 'in', column: 'symbol', values: ['AAA-USDT', 'BTC-USDT'], negated: false } as FilterNode], true],
    [[cmp('exchange', '=', 'binance')], false],
    [[cmp('exchange', '!=', 'kraken')], false],
    [[{ kind: 'in', column: 'exchange', values: ['kraken'], negated: true } as FilterNode], false],
    [[cmp('ts', '>=', DAY0 + MICROS_PER_DAY)], false],
    [[cmp('ts', '<', DAY0)], false],
    [[cmp('ts', '>=', DAY0 + MICROS_PER_DAY - 1)], true],
    [[{ kind: 'null', column: 'price', negated: false } as FilterNode], false],
    [[{ kind: 'null', column: 'qty', negated: false } as FilterNode], true],
  ])('%j → may match: %s', (filters, mayMatch) => {
    expect(pruneReasons('silver.trades', f, filters).length === 0).toBe(mayMatch)
  })

  it('prunes on hour, month and year partitions of a time column', () => {
    const t = fromIso('2024-03-15T10:30:00Z')
    expect(pruneReasons('silver.trades', file({ partition: { ts_hour: Math.floor(t / MICROS_PER_HOUR) } }), [cmp('ts', '=', t)])).toEqual(
      [],
    )
    expect(
      pruneReasons('silver.trades', file({ partition: { ts_hour: Math.floor(t / MICROS_PER_HOUR) + 1 } }), [cmp('ts', '=', t)]),
    ).toHaveLength(1)
    expect(
      pruneReasons('gold.ohlcv', file({ partition: { start_month: 650 } }), [cmp('start', '=', fromIso('2024-03-31T23:59:59Z'))]),
    ).toEqual([])
    expect(pruneReasons('gold.ohlcv', file({ partition: { start_month: 650 } }), [cmp('start', '>=', fromIso('2024-04-01'))])).toHaveLength(
      1,
    )
    expect(pruneReasons('gold.ohlcv', file({ partition: { start_year: 54 } }), [cmp('start', '<', fromIso('2024-01-01'))])).toHaveLength(1)
  })

  it('never prunes on what it cannot compare', () => {
    // Past U+D800, UTF-16 order (JS) and UTF-8 byte order (Iceberg bounds) can disagree.
    const f2 = file({ lowerBounds: { symbol: '\uff21' }, upperBounds: { symbol: '\uff3a' } })
    expect(pruneReasons('silver.trades', f2, [cmp('symbol', '=', '\u{1F600}')])).toEqual([])
    expect(pruneReasons('silver.trades', file({ lowerBounds: { price: 'x' } }), [cmp('price', '<', 1)])).toEqual([])
    expect(pruneReasons('silver.trades', file({ lowerBounds: { price: Number.NaN } }), [cmp('price', '<', 1)])).toEqual([])
    expect(pruneReasons('silver.trades', file({}), [cmp('price', '=', 1)])).toEqual([])
  })

  it('uses null counts', () => {
    const allNull = file({ recordCount: 5, nullCounts: { sequence: 5 } })
    expect(pruneReasons('silver.book', allNull, [cmp('sequence', '>', 1)])).toEqual(['sequence > 1: every sequence in the file is null'])
    expect(pruneReasons('silver.book', allNull, [{ kind: 'null', column: 'sequence', negated: true }])).toHaveLength(1)
    expect(pruneReasons('silver.book', allNull, [{ kind: 'null', column: 'sequence', negated: false }])).toEqual([])
  })
})

describe('mayHoldMatch', () => {
  const day = Math.round(DAY0 / MICROS_PER_DAY)
  const t = DAY0 + 5 * MICROS_PER_HOUR
  const files: DataFile[] = [
    file({}),
    file({ partition: { ts_day: day, exchange: 'kraken' } }),
    file({
      partition: { ts_day: day + 1, exchange: 'binance' },
      lowerBounds: { price: 100, ts: t },
      upperBounds: { price: 200, ts: t + 60e6 },
    }),
    file({
      partition: { ts_hour: Math.floor(t / MICROS_PER_HOUR) },
      lowerBounds: { symbol: 'BTC-USDT' },
      upperBounds: { symbol: 'ETH-USDT' },
    }),
    file({ partition: { ts_month: 648, ts_year: 54 }, nullCounts: { price: 0, symbol: 10, qty: 3 } }),
    file({ recordCount: 0, nullCounts: { price: 0 }, lowerBounds: { symbol: '\uff21' }, upperBounds: { symbol: '\uff3a' } }),
    file({
      lowerBounds: { price: 150, symbol: 'SOL-USDT' },
      upperBounds: { price: 150, symbol: 'SOL-USDT' },
      partition: { exchange: null },
    }),
  ]
  const values: Record<string, (string | number)[]> = {
    price: [99, 100, 150, 200, 201],
    ts: [DAY0 - 1, DAY0, t, t + 60e6, DAY0 + MICROS_PER_DAY, DAY0 + 40 * MICROS_PER_DAY],
    symbol: ['AAA-USDT', 'BTC-USDT', 'DOGE-USDT', 'SOL-USDT', '\u{1F600}'],
    exchange: ['binance', 'kraken', 'coinbase'],
  }
  const filters: FilterNode[] = []
  for (const [column, vs] of Object.entries(values)) {
    for (const v of vs) for (const op of ['=', '!=', '<', '<=', '>', '>='] as const) filters.push(cmp(column, op, v))
    for (const negated of [false, true]) {
      filters.push({ kind: 'in', column, values: vs.slice(1, 3), negated }, { kind: 'in', column, values: [], negated })
      filters.push({ kind: 'null', column, negated })
    }
  }

  it('answers exactly as pruneReasons, one condition and two at a time', () => {
    let pruned = 0
    for (const f of files) {
      for (const a of filters) {
        const expected = pruneReasons('silver.trades', f, [a]).length === 0
        expect(mayHoldMatch('silver.trades', f, [a]), `${JSON.stringify(f)} ${JSON.stringify(a)}`).toBe(expected)
        if (!expected) pruned++
      }
      for (let i = 0; i < filters.length; i += 7) {
        const pair = [filters[i] as FilterNode, filters[(i * 13 + 5) % filters.length] as FilterNode]
        expect(mayHoldMatch('silver.trades', f, pair)).toBe(pruneReasons('silver.trades', f, pair).length === 0)
      }
    }
    // The grid exercises both answers, not just "may match".
    expect(pruned).toBeGreaterThan(100)
  })

  it('names the partition value that ruled a file out', () => {
    expect(pruneReasons('silver.trades', files[1] as DataFile, [cmp('exchange', '=', 'binance')])).toEqual([
      'exchange = "binance": partition exchange is ["kraken", "kraken"]',
    ])
    expect(pruneReasons('silver.trades', files[1] as DataFile, [cmp('ts', '>=', DAY0 + MICROS_PER_DAY)])).toEqual([
      `ts >= 2024-03-02T00:00:00.000000Z: partition ts_day=${day} is [2024-03-01T00:00:00.000000Z, 2024-03-01T23:59:59.999999Z]`,
    ])
  })
})

describe('pruning over real files', () => {
  let lake: FixtureLake
  let pruned: QueryLayer
  let unpruned: QueryLayer
  beforeAll(async () => {
    lake = await createFixtureLake()
    pruned = createQueryLayer(lake.catalog, { engine: createDuckDBEngine() })
    const plain = new ParquetCatalog()
    const files = (await lake.catalog.files('silver.trades')).files
    plain.commit(
      'silver.trades',
      files.map((f) => ({ ...f, partition: {}, lowerBounds: {}, upperBounds: {}, nullCounts: {} })),
      0,
    )
    unpruned = createQueryLayer(plain, { engine: createDuckDBEngine() })
  })
  afterAll(async () => {
    await pruned?.close()
    await unpruned?.close()
    await lake?.close()
  })

  it('explains which files are read and why the others are not', async () => {
    const plan = await pruned
      .query('silver.trades')
      .where({ exchange: 'kraken', symbol: 'SOL-USDT' })
      .between('ts', DAY0 + MICROS_PER_DAY + 1, DAY0 + MICROS_PER_DAY + 60_000_000)
      .explain()
    const [t] = plan.tables
    expect(t?.snapshotId).toBe(String(lake.snapshots[2]))
    expect(t?.files.filter((f) => f.chosen).map((f) => f.path)).toEqual([lake.tradeFiles[3]])
    const skipped = t?.files.filter((f) => !f.chosen) ?? []
    expect(skipped).toHaveLength(5)
    expect(skipped.find((f) => f.path === lake.tradeFiles[2])?.reasons).toEqual([
      'exchange = "kraken": exchange bounds is ["binance", "binance"]',
    ])
    expect(skipped.find((f) => f.path === lake.tradeFiles[1])?.reasons).toEqual([
      'ts >= 2024-03-02T00:00:00.000001Z: ts bounds is [2024-03-01T00:00:00.000000Z, 2024-03-01T23:59:30.000000Z]',
    ])
    expect(plan.params[0]).toEqual([lake.tradeFiles[3]])
  })

  it.each([
    [
      'one symbol and one minute',
      (l: QueryLayer) =>
        l
          .query('silver.trades')
          .where({ symbol: 'ETH-USDT' })
          .between('ts', DAY0 + 5 * MICROS_PER_HOUR, DAY0 + 5 * MICROS_PER_HOUR + 60e6),
    ],
    ['an exchange and a price floor', (l: QueryLayer) => l.query('silver.trades').where({ exchange: 'binance' }).where('price', '>=', 408)],
    ['ids in a list', (l: QueryLayer) => l.query('silver.trades').where('id', 'in', ['7', '100007', '200007', 'x'])],
    [
      'not-equal side and a late time',
      (l: QueryLayer) =>
        l
          .query('silver.trades')
          .where('side', '!=', 'buy')
          .where('ts', '>', DAY0 + 3 * MICROS_PER_DAY - 120e6),
    ],
    ['nothing at all', (l: QueryLayer) => l.query('silver.trades').where({ exchange: 'bitstamp' })],
  ])('returns exactly the rows an unpruned scan returns: %s', async (_name, build) => {
    const order = (q: ReturnType<typeof build>) => q.orderBy('ts').orderBy('exchange').orderBy('symbol').rows()
    const [a, b] = await Promise.all([order(build(pruned)), order(build(unpruned))])
    expect(a).toEqual(b)
    const files = (await build(pruned).explain()).tables[0]?.files ?? []
    expect(files.filter((f) => f.chosen).length).toBeLessThanOrEqual(files.length)
  })

  it('binds data file paths, so quotes and spaces in a path cannot change the SQL', async () => {
    const odd = join(lake.dir, `it's a "quoted" file; DROP TABLE t --.parquet`)
    copyFileSync(lake.tradeFiles[0] as string, odd)
    const catalog = new ParquetCatalog()
    const [f0] = (await lake.catalog.files('silver.trades', { snapshot: lake.snapshots[0] as bigint })).files
    catalog.commit('silver.trades', [{ ...(f0 as DataFile), path: odd }], 0)
    const layer = createQueryLayer(catalog, { engine: createDuckDBEngine() })
    const q = layer
      .query('silver.trades')
      .where({ exchange: 'binance' })
      .aggregate((f) => ({ n: f.count() }))
    const { sql, params } = await q.toSQL()
    expect(sql).not.toContain('DROP')
    expect(params[0]).toEqual([odd])
    expect(await q.rows()).toEqual([{ n: (f0 as DataFile).recordCount }])
    await layer.close()
  })

  it('an unsafe path fails only the queries that would read that file, not every query of the table', async () => {
    const catalog = new ParquetCatalog()
    const [f0] = (await lake.catalog.files('silver.trades', { snapshot: lake.snapshots[0] as bigint })).files
    const good = f0 as DataFile
    const unsafe = file({ path: '/lake/exchange=a*b/x.parquet', partition: { ...good.partition, exchange: 'a*b' } })
    catalog.commit('silver.trades', [good, unsafe], 0)
    const layer = createQueryLayer(catalog, { engine: createDuckDBEngine() })
    const exchange = String(good.partition.exchange)
    const n = await layer
      .query('silver.trades')
      .where({ exchange })
      .aggregate((f) => ({ n: f.count() }))
      .rows()
    expect(n).toEqual([{ n: good.recordCount }])
    await expect(layer.query('silver.trades').rows()).rejects.toMatchObject({ code: 'CORRUPT_TABLE' })
    await layer.close()
  })

  it.each([
    [`${'/tmp'}/*.parquet`],
    ['/tmp/x/[ab].parquet'],
    ['/tmp/x/{a,b}.parquet'],
    ['relative/x.parquet'],
    ['http://evil.example/x.parquet'],
    ['s3://bucket/x.parquet'],
    ['/tmp/../etc/passwd'],
    ['/tmp/x\u0000.parquet'],
    ['/tmp/x\n.parquet'],
    [''],
  ])('refuses an unsafe data file path from the catalog: %j', async (path) => {
    expect(() => checkDataFilePath(path)).toThrow(expect.objectContaining({ code: 'CORRUPT_TABLE' }))
    const catalog = new ParquetCatalog()
    catalog.commit('silver.trades', [file({ path })], 0)
    const layer = createQueryLayer(catalog, { engine: createDuckDBEngine() })
    await expect(layer.query('silver.trades').rows()).rejects.toMatchObject({ code: 'CORRUPT_TABLE' })
    await expect(layer.sql`SELECT count(*) FROM ${layer.ref('silver.trades')}`.rows()).rejects.toMatchObject({ code: 'CORRUPT_TABLE' })
    await layer.close()
  })
})
