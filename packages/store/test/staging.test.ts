import { K2Error, MICROS_PER_DAY, type TableName } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { compareStrings } from '../src/iceberg/single-value.js'
import { tableSpec } from '../src/iceberg/table-spec.js'
import { ColumnBatch } from '../src/write/column-batch.js'
import { giveBack, takeBatch } from '../src/write/spare-batches.js'
import { T0 } from './helpers.js'
import { bookRow, expectSameRows, readBack as readBackFrom, useLake } from './staging-support.js'

// Rows go from JS into Parquet through columns and a DuckDB table function (write/duckdb-scan.ts). These
// tests write rows that cross chunk boundaries (2,048 rows) with every column type, nulls that
// come and go between chunks, wide dictionaries and negative 64-bit values, and compare what
// DuckDB reads back from the data files with what went in.

const ctx = useLake()
const readBack = (table: TableName) => readBackFrom(ctx.lake, table)
const sameRows = expectSameRows

describe('staging rows into data files', () => {
  it('round-trips nullable longs, negative 64-bit values and dictionary columns across chunks', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      exchange: i % 7 === 0 ? 'kraken' : 'binance',
      symbol: `S${i % 13}-USD`,
      kind: i % 2 ? 'delta' : 'snapshot',
      // nulls only in the first chunk and around the third, none in between
      sequence: i < 2048 ? (i % 3 === 0 ? null : i) : i >= 4096 && i < 4200 ? null : -(2 ** 40) - i,
      checksum: i % 5 === 0 ? null : -i,
      side: i % 2 ? 'bid' : 'ask',
      price: i / 8,
      qty: 1 + i,
      ts: T0 - 3 * MICROS_PER_DAY + i * 97_000_000, // crosses days, starting three days before T0
      recv_ts: T0 + i,
    }))
    await (await ctx.lake.table('silver.book')).append(rows)
    sameRows(await readBack('silver.book'), rows)
  })

  it('round-trips nullable dictionary and string columns, with null sort keys last', async () => {
    const rows = Array.from({ length: 4500 }, (_, i) => ({
      exchange: 'coinbase',
      symbol: i % 4 === 0 ? null : `P${i % 9}-USD`,
      kind: 'received',
      start_ts: T0 + i * 1_000,
      end_ts: T0 + i * 1_000 + 500,
      from_id: i % 3 === 0 ? null : String(i),
      to_id: i % 6 === 0 ? null : `x-${i}`,
      state: i % 2 ? null : 'open',
      healed_by: null,
      detail: i % 11 === 0 ? 'naïve ✓ 𝄞' : null,
    }))
    await (await ctx.lake.table('bronze.coverage')).append(rows)
    sameRows(await readBack('bronze.coverage'), rows)
    const { files } = await ctx.lake.files('bronze.coverage')
    expect(files).toHaveLength(1)
    // Within the file, null symbols come after every symbol.
    const inFile = (await readBack('bronze.coverage')).map((r) => r.symbol)
    const firstNull = inFile.indexOf(null)
    expect(firstNull).toBeGreaterThan(0)
    expect(inFile.slice(firstNull).every((s) => s === null)).toBe(true)
  })

  it('stages a dictionary of 300 values (a 16-bit ENUM) and ids that are not canonical decimals', async () => {
    const trades = Array.from({ length: 6000 }, (_, i) => ({
      exchange: 'binance',
      symbol: `C${i % 300}-USDT`,
      id: i % 2 ? `0${i}` : `t-${i}`, // leading zero and letters: ids stay strings
      price: 1 + (i % 97),
      qty: 0.5,
      side: 'buy',
      ts: T0 + i * 1_000_000,
      recv_ts: T0 + i * 1_000_000 + 1,
    }))
    const t = await ctx.lake.table('silver.trades')
    await t.append(trades)
    sameRows(await readBack('silver.trades'), trades)
    // and such ids are still deduplicated
    const again = await t.append(trades.slice(100, 200))
    expect(again).toMatchObject({ rows: 0, duplicates: 100 })
  })

  it('partitions gold rows by timeframe and month', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      exchange: 'bitstamp',
      symbol: 'BTC-USD',
      timeframe: i % 2 ? '1m' : '1d',
      start: T0 + i * 60 * 60_000_000, // 3,000 hours: about four months
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: i,
      quote_volume: i * 2,
      trades: i,
      buy_volume: i / 2,
      vwap: 1.2,
      complete: true,
      source: 'trades',
    }))
    await (await ctx.lake.table('gold.ohlcv')).append(rows)
    sameRows(await readBack('gold.ohlcv'), rows)
    const { files } = await ctx.lake.files('gold.ohlcv')
    const partitions = new Set(files.map((f) => JSON.stringify(f.partition)))
    expect(partitions.size).toBe(files.length)
    expect(files.length).toBeGreaterThanOrEqual(8) // 2 timeframes × at least 4 months
  })
})

/** A column of a batch by name (throws when missing, so lookups need no optional chaining). */
function column(batch: ColumnBatch, name: string) {
  const c = batch.columns.find((x) => x.name === name)
  if (!c) throw new Error(`no column ${name}`)
  return c
}

describe('ColumnBatch', () => {
  it('appends nothing when a row is bad, and keeps working after', () => {
    const batch = new ColumnBatch(tableSpec('silver.book'), 4)
    const good = bookRow
    batch.append([good(1), good(2)])
    let caught: unknown
    try {
      batch.append([good(3), { ...good(4), sequence: 5 }, { ...good(5), price: 'x' }])
    } catch (err) {
      caught = err
    }
    expect(K2Error.isInstance(caught) && caught.code === 'VALIDATION').toBe(true)
    expect((caught as Error).message).toContain('row 2 of silver.book: column "price" must be a number')
    expect(batch.length).toBe(2)
    batch.append([{ ...good(6), sequence: 7 }])
    expect(batch.length).toBe(3)
    // The failed call marked slot 2 null; the row that now holds slot 2 is not null.
    expect(Array.from(column(batch, 'sequence').nulls?.subarray(0, 3) ?? [])).toEqual([1, 1, 0])
    expect(Array.from((column(batch, 'price').values as Float64Array).subarray(0, 3))).toEqual([1, 2, 6])
  })

  it('is empty after clear() and refills with new dictionaries', () => {
    const spec = tableSpec('silver.trades')
    const batch = new ColumnBatch(spec, 2)
    const trade = (symbol: string, id: string) => ({ exchange: 'kraken', symbol, id, price: 1, qty: 1, side: 'buy', ts: T0, recv_ts: T0 })
    batch.append([trade('A-USD', '1'), trade('B-USD', '2'), trade('C-USD', '3')]) // grows past its capacity
    batch.clear()
    expect(batch.length).toBe(0)
    batch.append([trade('Z-USD', '9')])
    expect(column(batch, 'symbol').dict).toEqual(['Z-USD'])
    expect((column(batch, 'symbol').values as Int32Array)[0]).toBe(0)
    expect((column(batch, 'id').ids as Float64Array)[0]).toBe(9)
  })
})

describe('compareStrings', () => {
  it('orders like UTF-8 bytes, including characters above U+FFFF', () => {
    const alphabet = ['a', 'z', 'é', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff', '😀', '𝄞', '\u{10ffff}', '0', '']
    let seed = 42
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed
    }
    const word = () => Array.from({ length: random() % 5 }, () => alphabet[random() % alphabet.length]).join('')
    for (let i = 0; i < 5000; i++) {
      const a = word()
      const b = word()
      expect(compareStrings(a, b)).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))))
    }
  })
})

describe('batch reuse', () => {
  it('hands an empty batch back to the next taker, and never one too small', () => {
    const spec = tableSpec('silver.book')
    const big = takeBatch(spec, 5000)
    big.append([bookRow(1)])
    giveBack(big)
    expect(big.length).toBe(0)
    expect(takeBatch(spec, 10_000)).not.toBe(big) // too small for this taker
    expect(takeBatch(spec, 100)).toBe(big)
    expect(takeBatch(spec, 100)).not.toBe(big) // taken once only
  })

  it('a closed writer never commits rows of the writer that reused its batches', async () => {
    const book = await ctx.lake.table('silver.book')
    const row = bookRow
    const first = book.writer({ flushRows: 100 })
    await first.append([row(1)])
    await first.close()
    // Two new writers take both of the first writer's batches from the pool.
    const second = book.writer({ flushRows: 100 })
    const third = book.writer({ flushRows: 100 })
    await second.append([row(2)])
    await third.append([row(3)])
    expect(await first.flush()).toBeNull()
    await second.close()
    await third.close()
    expect((await readBack('silver.book')).map((r) => r.price).sort()).toEqual([1, 2, 3]) // no row twice (silver.book keeps duplicates)
  })
})
