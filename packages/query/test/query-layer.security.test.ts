import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { K2Error } from '@k2/core'
import { createQueryLayer, type QueryLayer } from '@k2/query'
import { createDuckDBEngine } from '@k2/query/duckdb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFixtureLake, type FixtureLake } from './support/fixture-lake.js'
import { type Hostile, hostileCorpus } from './support/hostile-corpus.js'
import { ParquetCatalog } from './support/parquet-catalog.js'

let lake: FixtureLake
let layer: QueryLayer
const corpus = hostileCorpus()

beforeAll(async () => {
  lake = await createFixtureLake()
  // The same files without statistics: pruning (tested elsewhere) then never changes the SQL's shape,
  // so the text of every query can be compared with its benign twin.
  const plain = new ParquetCatalog()
  const files = (await lake.catalog.files('silver.trades')).files.map((f) => ({
    ...f,
    partition: {},
    lowerBounds: {},
    upperBounds: {},
    nullCounts: {},
  }))
  plain.commit('silver.trades', files, 0)
  layer = createQueryLayer(plain, { engine: createDuckDBEngine(), pool: { size: 2, maxQueue: 4096 } })
})
afterAll(async () => {
  await layer?.close()
  await lake?.close()
})

/** Everything that could show a change: the lake's files byte for byte, and the engine's catalog and settings. */
async function databaseState(): Promise<string> {
  const files = readdirSync(lake.dir)
    .sort()
    .map(
      (f) =>
        `${f}:${createHash('sha256')
          .update(readFileSync(join(lake.dir, f)))
          .digest('hex')}`,
    )
  const engine =
    await layer.sql`SELECT (SELECT count(*) FROM duckdb_tables()) AS tables, (SELECT count(*) FROM duckdb_views() WHERE NOT internal) AS views,
    (SELECT count(*) FROM duckdb_databases()) AS dbs, current_setting('memory_limit') AS mem, current_setting('TimeZone') AS tz`.rows()
  return JSON.stringify({ files, engine })
}

type Outcome = 'bound' | 'rejected'

/** String(v), also for objects without a prototype (which String() cannot convert). */
function str(v: unknown): string {
  try {
    return String(v)
  } catch {
    return Object.prototype.toString.call(v)
  }
}

/** Runs `attempt`; a K2Error other than VALIDATION, or any other error, fails the test. */
async function outcome(h: Hostile, attempt: () => Promise<void> | void): Promise<Outcome> {
  try {
    await attempt()
    return 'bound'
  } catch (e) {
    if (K2Error.isInstance(e) && e.code === 'VALIDATION') return 'rejected'
    throw new Error(`${h.category} input ${str(h.value).slice(0, 60)} gave ${(e as Error).message}`)
  }
}

const sqlOf = async (q: { toSQL(): Promise<{ sql: string; params: readonly unknown[] }> }) => q.toSQL()

describe(`a corpus of ${corpus.length} hostile inputs`, () => {
  let before: string
  beforeAll(async () => {
    before = await databaseState()
  })

  it('has at least 1,000 entries across all categories', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(1000)
    expect(new Set(corpus.map((h) => h.category)).size).toBeGreaterThanOrEqual(10)
  })

  it('as where() values: bound without changing the SQL text, or rejected', async () => {
    const base = await sqlOf(layer.query('silver.trades').where('symbol', '=', 'BTC-USDT').select('id'))
    const counts = { bound: 0, rejected: 0 }
    for (const h of corpus) {
      const q = () =>
        layer
          .query('silver.trades')
          .where('symbol', '=', h.value as string)
          .select('id')
      const o = await outcome(h, async () => {
        const { sql, params } = await sqlOf(q())
        expect(sql).toBe(base.sql)
        expect(params[1]).toBe(h.value)
        // Bound strings match nothing: no hostile string is a symbol.
        expect(await q().rows()).toEqual([])
      })
      counts[o]++
    }
    expect(counts.bound).toBeGreaterThan(800) // every string is bound, however hostile
    expect(counts.rejected).toBeGreaterThan(20) // numbers, objects, functions, over-long strings
  })

  it('as numeric values, limits and offsets: only finite numbers in range are bound', async () => {
    const base = await sqlOf(layer.query('silver.trades').where('price', '>', 1).limit(10).offset(2))
    for (const h of corpus) {
      const o = await outcome(h, async () => {
        const { sql, params } = await sqlOf(
          layer
            .query('silver.trades')
            .where('price', '>', h.value as number)
            .limit(10)
            .offset(2),
        )
        expect(sql).toBe(base.sql)
        expect(params).toContain(h.value)
      })
      expect(o === 'rejected' || (typeof h.value === 'number' && Number.isFinite(h.value))).toBe(true)
      const limit = await outcome(h, async () => {
        const { sql } = await sqlOf(
          layer
            .query('silver.trades')
            .where('price', '>', 1)
            .limit(h.value as number)
            .offset(2),
        )
        expect(sql).toBe(base.sql)
      })
      const offset = await outcome(h, () => void layer.query('silver.trades').offset(h.value as number))
      for (const x of [limit, offset]) expect(x === 'rejected' || (Number.isSafeInteger(h.value) && (h.value as number) >= 0)).toBe(true)
    }
  })

  it('as identifiers, operators, aliases, timeframes and tables: rejected unless a safe quoted alias', async () => {
    const aliasBase = (await sqlOf(layer.query('silver.trades').aggregate((f) => ({ n: f.count() })))).sql
    for (const h of corpus) {
      const v = h.value as never
      const attempts: (() => unknown)[] = [
        () => layer.query('silver.trades').select(v),
        () => layer.query('silver.trades').where({ [str(h.value)]: 'x' } as never),
        () => layer.query('silver.trades').orderBy(v),
        () => layer.query('silver.trades').groupBy(v),
        () => layer.query('silver.trades').where('price', v, 1),
        () => layer.query('silver.trades').aggregate((f) => ({ s: f.sum(v) })),
        () => layer.query('silver.trades').bucket(v),
        () => layer.query(v),
        () => layer.ref(v),
        () => layer.query('silver.trades').where({ price: { [str(h.value)]: 1 } } as never),
      ]
      for (const a of attempts) expect(await outcome(h, () => void a())).toBe('rejected')
      // An alias is an identifier: accepted only in the safe form, and then only ever quoted.
      const alias = await outcome(h, async () => {
        const { sql } = await sqlOf(layer.query('silver.trades').aggregate((f) => ({ [str(h.value)]: f.count() })))
        expect(sql).toBe(aliasBase.replace('"n"', `"${str(h.value)}"`))
      })
      expect(alias === 'rejected' || /^[A-Za-z_][A-Za-z0-9_]*$/.test(str(h.value))).toBe(true)
    }
  })

  it('in the sql template: every interpolation is bound and comes back unchanged, or is rejected', async () => {
    let bound = 0
    for (const h of corpus) {
      const o = await outcome(h, async () => {
        const q = layer.sql`SELECT ${h.value} AS x, md5(${h.value}::VARCHAR) AS m, count(*) AS n FROM ${layer.ref('silver.trades')} WHERE symbol = ${h.value}`
        const { sql } = await q.toSQL()
        expect(sql).toBe(
          'SELECT $1 AS x, md5($2::VARCHAR) AS m, count(*) AS n FROM (SELECT "exchange", "symbol", "id", "price", "qty", "side", "ts", "recv_ts" FROM read_parquet($3::VARCHAR[], hive_partitioning = false)) WHERE symbol = $4',
        )
        if (typeof h.value === 'string') {
          const [row] = await q.rows()
          // DuckDB received the exact bytes (md5), and the value matched no symbol.
          expect(row?.m).toBe(createHash('md5').update(h.value).digest('hex'))
          expect(row?.n).toBe(0)
          // @duckdb/node-api's string decoder drops a leading U+FEFF on the way back; all else round-trips.
          if (!h.value.startsWith('\ufeff')) expect(row?.x).toBe(h.value)
        }
      })
      if (o === 'bound') bound++
    }
    expect(bound).toBeGreaterThan(800)
  })

  it('leaves the database unchanged', async () => {
    expect(await databaseState()).toBe(before)
  })
})

describe('statements other than one SELECT', () => {
  it.each([
    ['CREATE', () => layer.sql`CREATE TABLE pwn AS SELECT 1`],
    ['COPY', () => layer.sql`COPY (SELECT 1) TO 'pwn.csv'`],
    ['ATTACH', () => layer.sql`ATTACH ':memory:' AS pwn`],
    ['SET', () => layer.sql`SET memory_limit = '1TB'`],
    ['stacked', () => layer.sql`SELECT 1; DROP TABLE pwn`],
    ['INSTALL', () => layer.sql`INSTALL httpfs`],
  ])('%s is refused and changes nothing', async (_name, make) => {
    const before = await databaseState()
    await expect(make().rows()).rejects.toSatisfy((e: unknown) => K2Error.isInstance(e) && ['VALIDATION', 'QUERY'].includes(e.code))
    expect(await databaseState()).toBe(before)
  })

  it('refuses a template called as a function with built text', () => {
    const built = Object.assign(['SELECT 1; DROP TABLE t'], { raw: ['SELECT 1; DROP TABLE t'] })
    expect(() => layer.sql(built as unknown as TemplateStringsArray)).toThrow(expect.objectContaining({ code: 'VALIDATION' }))
  })
})
