import { readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { K2Error, MICROS_PER_DAY, type TableName } from '@k2/core'
import { describe, expect, it } from 'vitest'
import { compareStrings } from '../src/iceberg/single-value.js'
import { tableSpec } from '../src/iceberg/table-spec.js'
import { coreOf } from '../src/table-core.js'
import { ColumnBatch } from '../src/write/column-batch.js'
import { T0 } from './helpers.js'
import {
  bookRow as baseBookRow,
  expectSameRows,
  fileList,
  query,
  readBack as readBackFrom,
  selectColumns,
  useLake,
} from './staging-support.js'

// Edge cases of the column-batch write path (write/: column-batch, file-layout, column-stats, duckdb-scan,
// staged-rows, spare-batches; table-writer), from an adversarial review: strings DuckDB cannot store as given,
// ENUM width limits, extreme numbers, id bounds, duplicates, writer lifecycle races.

const ctx = useLake()
const readBack = (table: TableName) => readBackFrom(ctx.lake, table)
const sameRows = expectSameRows

/** Checks every file's manifest bounds against the values DuckDB finds in it (strings in UTF-8 order). */
async function expectBoundsHold(table: TableName): Promise<void> {
  const { files } = await ctx.lake.files(table)
  const spec = tableSpec(table)
  for (const f of files) {
    const rows = await query(`SELECT ${selectColumns(table)} FROM read_parquet(${fileList([f.path])})`)
    expect(rows.length).toBe(f.recordCount)
    for (const c of spec.columns) {
      const lo = f.lowerBounds[c.name]
      const hi = f.upperBounds[c.name]
      const nulls = rows.filter((r) => r[c.name] === null).length
      expect(f.nullCounts[c.name], `${table}.${c.name} null count`).toBe(nulls)
      for (const r of rows) {
        const v = r[c.name]
        if (v === null) continue
        const cmp = (a: unknown, b: unknown) => (typeof a === 'string' ? compareStrings(a, b as string) : (a as number) - (b as number))
        if (lo !== undefined)
          expect(cmp(lo, v) <= 0, `${table}.${c.name}: lower bound ${JSON.stringify(lo)} > ${JSON.stringify(v)}`).toBe(true)
        if (hi !== undefined)
          expect(cmp(v, hi) <= 0, `${table}.${c.name}: value ${JSON.stringify(v)} > upper bound ${JSON.stringify(hi)}`).toBe(true)
      }
    }
  }
}

const trade = (i: number, over: Record<string, unknown> = {}) => ({
  exchange: 'binance',
  symbol: 'BTC-USDT',
  id: String(i),
  price: 100 + i,
  qty: 1,
  side: 'buy',
  ts: T0 + i * 1_000_000,
  recv_ts: T0 + i * 1_000_000 + 5,
  ...over,
})

const bookRow = (i: number, over: Record<string, unknown> = {}) => baseBookRow(i, { sequence: i, ...over })

const frame = (i: number, data: string, over: Record<string, unknown> = {}) => ({
  exchange: 'binance',
  channel: 'trades',
  connection_id: 1,
  recv_ts: T0 + i,
  data,
  ...over,
})

function validationError(fn: () => unknown): K2Error {
  let caught: unknown
  try {
    fn()
  } catch (err) {
    caught = err
  }
  expect(K2Error.isInstance(caught), `expected a K2Error VALIDATION, got ${String(caught)}`).toBe(true)
  expect((caught as K2Error).code).toBe('VALIDATION')
  return caught as K2Error
}

describe('strings that reach DuckDB', () => {
  // Checked: vector_assign_string_element takes the JS string's length, so U+0000 survives.
  it('keeps strings that contain U+0000 whole', async () => {
    const rows = [frame(1, 'a\u0000b'), frame(2, '\u0000'), frame(3, 'plain')]
    await (await ctx.lake.table('bronze.frames')).append(rows)
    sameRows(await readBack('bronze.frames'), rows)
  })

  // A lone surrogate has no UTF-8 form: DuckDB would store U+FFFD and the manifest bounds would not hold.
  it('refuses strings with lone surrogates (no UTF-8 form) with VALIDATION', async () => {
    const rows = [
      { exchange: 'binance', recv_ts: T0, raw: '\ud800', error_code: 'E', error_message: 'm' },
      { exchange: 'binance', recv_ts: T0 + 1, raw: '\uffff', error_code: 'E', error_message: 'm' },
    ]
    const dlq = await ctx.lake.table('bronze.dlq')
    await expect(dlq.append(rows)).rejects.toSatisfy(
      (e: unknown) => K2Error.isInstance(e) && e.code === 'VALIDATION' && /well-formed/.test(e.message),
    )
    // a new dictionary value (exchange) is checked too
    await expect(dlq.append([{ exchange: '\udc00', recv_ts: T0, raw: 'ok', error_code: 'E', error_message: 'm' }])).rejects.toSatisfy(
      (e: unknown) => K2Error.isInstance(e) && e.code === 'VALIDATION',
    )
    expect((await ctx.lake.files('bronze.dlq')).files).toHaveLength(0)
  })

  it('round-trips long unicode strings (surrogate pairs) with truncated bounds that still hold', async () => {
    const long = (c: string, n: number) => Array.from({ length: n }, () => c).join('')
    const rows = [
      frame(1, long('😀', 100)),
      frame(2, `${long('a', 63)}\u{10ffff}\u{10ffff}tail`),
      frame(3, long('\uffff', 70)),
      frame(4, 'é'),
      frame(5, ''),
      frame(6, `${long('z', 64)}${long('\u{10ffff}', 3)}`),
    ]
    await (await ctx.lake.table('bronze.frames')).append(rows)
    sameRows(await readBack('bronze.frames'), rows)
    await expectBoundsHold('bronze.frames')
  })
})

describe('row checks', () => {
  it('refuses a BigInt value with VALIDATION naming the column (not a TypeError)', () => {
    const batch = new ColumnBatch(tableSpec('bronze.frames'), 4)
    const err = validationError(() => batch.append([frame(1, 'x', { connection_id: 5n })]))
    expect(err.message).toContain('connection_id')
    expect(batch.length).toBe(0)
  })

  it('refuses a BigInt row with VALIDATION (not a TypeError)', () => {
    const batch = new ColumnBatch(tableSpec('bronze.frames'), 4)
    validationError(() => batch.append([frame(1, 'x'), 7n]))
    expect(batch.length).toBe(0)
  })

  it('refuses arrays, primitives and null as rows, and NaN/fractional longs; appends nothing', () => {
    const batch = new ColumnBatch(tableSpec('silver.book'), 4)
    for (const bad of [[1, 2], 'row', 3, null, undefined, true]) {
      const err = validationError(() => batch.append([bookRow(1), bad]))
      expect(err.message).toContain('row 1 of silver.book')
    }
    validationError(() => batch.append([bookRow(1, { price: Number.NaN })]))
    validationError(() => batch.append([bookRow(1, { sequence: 1.5 })]))
    validationError(() => batch.append([bookRow(1, { sequence: 2 ** 53 })]))
    validationError(() => batch.append([bookRow(1, { ts: '2024-01-01' })]))
    validationError(() => batch.append([bookRow(1, { symbol: 5 })]))
    expect(batch.length).toBe(0)
  })

  it('reads camelCase aliases; the snake_case name wins when both are present', () => {
    const batch = new ColumnBatch(tableSpec('silver.trades'), 4)
    const { recv_ts: _r, ...noRecv } = trade(1)
    batch.append([
      { ...noRecv, recvTs: T0 + 111 },
      { ...trade(2), recvTs: T0 + 999 },
    ])
    const recv = batch.columns.find((c) => c.name === 'recv_ts')?.values as Float64Array
    expect(Array.from(recv.subarray(0, 2))).toEqual([T0 + 111, trade(2).recv_ts])
    // `recv_ts: null` is not overridden by the alias: the row is refused (recv_ts is required)
    validationError(() => batch.append([{ ...trade(3), recv_ts: null, recvTs: T0 + 5 }]))
    expect(batch.length).toBe(2)
  })

  it('ignores prototype-polluting keys and reads rows without a prototype', () => {
    const batch = new ColumnBatch(tableSpec('silver.trades'), 4)
    const polluted = JSON.parse(`{"__proto__": {"price": 7}, ${JSON.stringify(trade(1)).slice(1)}`)
    const bare = Object.assign(Object.create(null), trade(2))
    batch.append([polluted, bare])
    expect(({} as Record<string, unknown>).price).toBeUndefined()
    const price = batch.columns.find((c) => c.name === 'price')?.values as Float64Array
    expect(Array.from(price.subarray(0, 2))).toEqual([101, 102])
  })

  it('clear() then reuse with a smaller and a larger batch keeps no stale values', () => {
    const batch = new ColumnBatch(tableSpec('silver.book'), 2)
    batch.append(Array.from({ length: 10 }, (_, i) => bookRow(i, { sequence: i % 2 ? null : i, symbol: `S${i}-USD` })))
    batch.clear()
    batch.append([bookRow(100, { symbol: 'Z-USD' })])
    const seq = batch.columns.find((c) => c.name === 'sequence') as ColumnBatch['columns'][number]
    expect(seq.nulls?.[0] ?? 0).toBe(0)
    expect(batch.columns.find((c) => c.name === 'symbol')?.dict).toEqual(['Z-USD'])
    batch.clear()
    batch.append(Array.from({ length: 3000 }, (_, i) => bookRow(i, { sequence: null })))
    expect(batch.length).toBe(3000)
    expect(Array.from(seq.nulls?.subarray(0, 3000) ?? []).every((x) => x === 1)).toBe(true)
  })
})

describe('ENUM widths and dictionaries', () => {
  for (const size of [255, 256, 65_535, 65_536]) {
    it(`round-trips a dictionary of exactly ${size} symbols`, async () => {
      const rows = Array.from({ length: size }, (_, i) => bookRow(i, { symbol: `S${i}-USD`, sequence: i % 3 ? -i : null }))
      await (await ctx.lake.table('silver.book')).append(rows)
      const back = await readBack('silver.book')
      expect(back.length).toBe(size)
      sameRows(back, rows)
    }, 60_000)
  }

  it('stages all-null dictionary and string columns (the empty-ENUM placeholder)', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      exchange: 'kraken',
      symbol: null,
      kind: 'connected',
      start_ts: T0 + i,
      end_ts: T0 + i + 1,
      from_id: null,
      to_id: null,
      state: null,
      healed_by: null,
      detail: null,
    }))
    await (await ctx.lake.table('bronze.coverage')).append(rows)
    sameRows(await readBack('bronze.coverage'), rows)
    await expectBoundsHold('bronze.coverage')
  })

  it('a failed append does not disturb the next commit (dictionary entries it left behind)', async () => {
    const t = coreOf(await ctx.lake.table('silver.book'))
    const batch = t.newBatch(8)
    expect(() => t.addTo(batch, [bookRow(1, { symbol: 'GHOST-USD' }), bookRow(2, { price: 'x' })])).toThrow()
    t.addTo(batch, [bookRow(3, { symbol: 'REAL-USD' })])
    await t.commitBatch(batch)
    const { files } = await ctx.lake.files('silver.book')
    expect(files.map((f) => [f.lowerBounds.symbol, f.upperBounds.symbol])).toEqual([['REAL-USD', 'REAL-USD']])
    sameRows(await readBack('silver.book'), [bookRow(3, { symbol: 'REAL-USD' })])
  })
})

describe('numbers and partitions', () => {
  it('round-trips times at both ends of the accepted range and at day edges, extreme safe longs, and partitions them by day', async () => {
    const max = Number.MAX_SAFE_INTEGER
    const lo = Date.UTC(2009, 0, 1) * 1000
    const hi = Date.UTC(2100, 0, 1) * 1000 - 1
    const times = [lo, lo + 1, lo + MICROS_PER_DAY - 1, lo + MICROS_PER_DAY, T0 - 1, T0, hi - MICROS_PER_DAY, hi - 1, hi]
    const rows = times.map((t, i) => frame(i, `f${i}`, { recv_ts: t, connection_id: i % 2 ? max : -max }))
    // pre-2009 (and so pre-1970 and negative) times are refused: epoch µs that small are a unit mistake
    for (const t of [lo - 1, 0, -1, -MICROS_PER_DAY, hi + 1, max])
      validationError(() => new ColumnBatch(tableSpec('bronze.frames')).append([frame(0, 'x', { recv_ts: t })]))
    await (await ctx.lake.table('bronze.frames')).append(rows)
    sameRows(await readBack('bronze.frames'), rows)
    await expectBoundsHold('bronze.frames')
    const { files } = await ctx.lake.files('bronze.frames')
    for (const f of files) {
      const day = f.partition.recv_ts_day as number
      expect(Math.floor((f.lowerBounds.recv_ts as number) / MICROS_PER_DAY)).toBe(day)
      expect(Math.floor((f.upperBounds.recv_ts as number) / MICROS_PER_DAY)).toBe(day)
    }
  })

  it('partitions gold rows by month across year boundaries', async () => {
    const starts = [
      Date.UTC(2023, 11, 31, 23, 59) * 1000,
      Date.UTC(2024, 0, 1) * 1000,
      Date.UTC(2009, 11, 31, 23) * 1000,
      Date.UTC(2010, 0, 1) * 1000,
      Date.UTC(2009, 11, 1) * 1000,
    ]
    const rows = starts.map((start, i) => ({
      exchange: 'bitstamp',
      symbol: 'BTC-USD',
      timeframe: '1m',
      start,
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: i,
      quote_volume: i,
      trades: -i,
      buy_volume: 0,
      vwap: 1,
      complete: true,
      source: 'trades',
    }))
    await (await ctx.lake.table('gold.ohlcv')).append(rows)
    sameRows(await readBack('gold.ohlcv'), rows)
    const { files } = await ctx.lake.files('gold.ohlcv')
    const months = files.map((f) => f.partition.start_month).sort((a, b) => (a as number) - (b as number))
    expect(months).toEqual([479, 480, 647, 648])
    const names: Record<number, string> = { 479: '2009-12', 480: '2010-01', 647: '2023-12', 648: '2024-01' }
    for (const f of files) expect(f.path).toContain(`start_month=${names[f.partition.start_month as number]}`)
  })
})

describe('ids and deduplication', () => {
  it('gives ids mixing digit counts ("9" and "10") Iceberg string bounds per partition', async () => {
    const rows = [trade(9), trade(10), trade(99), trade(100), trade(8)]
    // ts rises with the id except the last row (id 8), so the batch is still checked for order
    await (await ctx.lake.table('silver.trades')).append(rows)
    const { files } = await ctx.lake.files('silver.trades')
    expect(files.length).toBe(1)
    expect(files[0]?.lowerBounds.id).toBe('10')
    expect(files[0]?.upperBounds.id).toBe('99')
    await expectBoundsHold('silver.trades')
  })

  it('keeps ids that are not canonical decimals as strings, and deduplicates them', async () => {
    const ids = ['007', '7', '1e3', '', '123456789012345678901234567890', '999999999999999', '1000000000000000', '-1', ' 5']
    const rows = ids.map((id, i) => trade(i, { id }))
    const t = await ctx.lake.table('silver.trades')
    expect(await t.append(rows)).toMatchObject({ rows: ids.length, duplicates: 0 })
    sameRows(await readBack('silver.trades'), rows)
    await expectBoundsHold('silver.trades')
    expect(await t.append(rows.map((r) => ({ ...r, price: 1 })))).toMatchObject({ rows: 0, duplicates: ids.length })
  })

  it('keeps the first of duplicate keys in input order, numeric and not', async () => {
    const t = await ctx.lake.table('silver.trades')
    const rows = [
      trade(5, { price: 1 }),
      trade(3, { price: 2 }),
      trade(5, { price: 3, ts: T0 }), // earlier ts: would sort first
      trade(3, { price: 4, symbol: 'ETH-USDT' }), // another key
      trade(7, { id: 'x', price: 5 }),
      trade(8, { id: 'x', price: 6 }),
    ]
    expect(await t.append(rows)).toMatchObject({ rows: 4, duplicates: 2 })
    const back = await readBack('silver.trades')
    expect(back.map((r) => r.price).sort()).toEqual([1, 2, 4, 5])
  })

  it('drops keys that exist in files, including mixed-digit ids across partitions', async () => {
    const t = await ctx.lake.table('silver.trades')
    await t.append([trade(9), trade(10), trade(11, { ts: T0 + 2 * MICROS_PER_DAY })])
    const r = await t.append([
      trade(10, { price: 0 }),
      trade(12),
      trade(11, { ts: T0 + 2 * MICROS_PER_DAY, price: 0 }),
      trade(9, { price: 0 }),
    ])
    expect(r).toMatchObject({ rows: 1, duplicates: 3 })
    expect((await readBack('silver.trades')).length).toBe(4)
  })

  it('two writers committing the same trades concurrently store each key once', async () => {
    const t = await ctx.lake.table('silver.trades')
    const rows = Array.from({ length: 3000 }, (_, i) => trade(i + 1, { symbol: i % 2 ? 'A-USD' : 'B-USD' }))
    const a = t.writer({ flushMs: 0 })
    const b = t.writer({ flushMs: 0 })
    await a.append(rows)
    await b.append(rows.slice(1000))
    const [ra, rb] = await Promise.all([a.flush(), b.flush()])
    expect((ra?.rows ?? 0) + (rb?.rows ?? 0)).toBe(3000)
    await Promise.all([a.close(), b.close()])
    const back = await readBack('silver.trades')
    expect(back.length).toBe(3000)
    expect(new Set(back.map((r) => `${r.symbol}/${r.id}`)).size).toBe(3000)
    await expectBoundsHold('silver.trades')
  })

  it('a failed commit keeps the rows; a retry writes them once', async () => {
    const t = await ctx.lake.table('silver.trades')
    await t.append([trade(1)])
    const path = (await ctx.lake.files('silver.trades')).files[0]?.path as string
    const bytes = readFileSync(path)
    truncateSync(path, 10) // the dedup read of the existing file fails
    const w = t.writer({ flushMs: 0 })
    await w.append([trade(1, { price: 0 }), trade(2), trade(3)])
    await expect(w.flush()).rejects.toThrow()
    expect(w.stats().buffered).toBe(3)
    writeFileSync(path, bytes)
    expect(await w.flush()).toMatchObject({ rows: 2, duplicates: 1 })
    await w.close()
    expect((await readBack('silver.trades')).map((r) => r.id).sort()).toEqual(['1', '2', '3'])
  })
})

describe('writer lifecycle', () => {
  it('refuses appends after close with CLOSED', async () => {
    const w = (await ctx.lake.table('silver.book')).writer({ flushMs: 0 })
    await w.append([bookRow(1)])
    await w.close()
    await expect(w.append([bookRow(2)])).rejects.toMatchObject({ code: 'CLOSED' })
    expect((await readBack('silver.book')).length).toBe(1)
  })

  // Two overlapping closes (a signal handler and the normal shutdown) must not pool one batch twice.
  it('overlapping close() calls do not hand one batch to two takers', async () => {
    const t = await ctx.lake.table('bronze.dlq')
    const w = t.writer({ flushRows: 64, flushMs: 0 })
    await Promise.all([w.close(), w.close()])
    const a = coreOf(t).newBatch(8)
    const b = coreOf(t).newBatch(8)
    expect(a).not.toBe(b)
  })

  it('refuses with CLOSED rows appended while close() flushes, so none is silently dropped', async () => {
    const t = await ctx.lake.table('silver.book')
    let appended: Promise<void> | null = null
    let appendError: unknown = null
    const w = t.writer({
      flushMs: 0,
      onCommit: () => {
        // runs inside close()'s flush, before close() marks the writer closed
        appended ??= w.append([bookRow(2)]).catch((err) => {
          appendError = err
        })
      },
    })
    await w.append([bookRow(1)])
    await w.close()
    await appended
    expect(K2Error.isInstance(appendError) && appendError.code === 'CLOSED').toBe(true)
    expect((await readBack('silver.book')).length).toBe(1)
  })
})

describe('large batches', () => {
  it('a batch deduplicated against a file through a multi-row-group temp table stays in file order', async () => {
    const t = await ctx.lake.table('silver.trades')
    await t.append([trade(1, { symbol: 'A-USD' })])
    const n = 130_000 // over DuckDB's 122,880-row row group
    // ids rise per symbol (no duplicates inside the batch) but times go back and forth
    const rows = Array.from({ length: n }, (_, i) =>
      trade(i + 1, { symbol: i % 3 === 0 ? 'A-USD' : i % 3 === 1 ? 'B-USD' : 'C-USD', ts: T0 + ((i * 7919) % n) * 100 }),
    )
    expect(await t.append(rows)).toMatchObject({ rows: n - 1, duplicates: 1 })
    const { files } = await ctx.lake.files('silver.trades')
    for (const f of files) {
      const got = await query(`SELECT symbol, epoch_us(ts) AS ts FROM read_parquet(${fileList([f.path])})`)
      for (let i = 1; i < got.length; i++) {
        const a = got[i - 1] as { symbol: string; ts: number }
        const b = got[i] as { symbol: string; ts: number }
        const inOrder = a.symbol < b.symbol || (a.symbol === b.symbol && a.ts <= b.ts)
        if (!inOrder) expect.fail(`${f.path}: row ${i} out of order (${JSON.stringify(a)} then ${JSON.stringify(b)})`)
      }
    }
  }, 120_000)
})

describe('writer stats', () => {
  // close() gives its batches back: it must not keep reading one another writer now owns.
  it('a closed writer reports no buffered rows after its batch was reused', async () => {
    const t = await ctx.lake.table('bronze.coverage')
    const first = t.writer({ flushRows: 50, flushMs: 0 })
    await first.close()
    const second = t.writer({ flushRows: 50, flushMs: 0 })
    await second.append([
      {
        exchange: 'kraken',
        symbol: null,
        kind: 'connected',
        start_ts: T0,
        end_ts: T0 + 1,
        from_id: null,
        to_id: null,
        state: null,
        healed_by: null,
        detail: null,
      },
    ])
    expect(second.stats().buffered).toBe(1)
    expect(first.stats().buffered).toBe(0)
    await second.close()
  })
})
