import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { K2Error, MICROS_PER_DAY, type TableName, type Trade } from '@k2/core'
import { checkDataFilePath } from '@k2/query'
import { importTrades, type Lake, openLake } from '@k2/store'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { pathSegment } from '../src/iceberg/partition-transforms.js'
import { makeTrades, T0, tempDir, treeDigest } from './helpers.js'

// A bad value is VALIDATION at append(), naming the row and the column, and nothing is written: it
// never reaches a file path, a dictionary or a partition where it would poison the table.

const codeOf = (e: unknown) => (K2Error.isInstance(e) ? e.code : `not a K2Error: ${String(e)}`)
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as Error,
  )

const trade = (over: Record<string, unknown> = {}) => ({ ...makeTrades(1, { startId: 77 })[0], ...over }) as Trade
const rows: Record<TableName, (over: Record<string, unknown>) => Record<string, unknown>> = {
  'silver.trades': trade,
  'silver.book': (o) => ({
    exchange: 'kraken',
    symbol: 'BTC-USD',
    kind: 'delta',
    sequence: 1,
    checksum: null,
    side: 'bid',
    price: 1,
    qty: 2,
    ts: T0,
    recv_ts: T0,
    ...o,
  }),
  'silver.quotes': (o) => ({
    exchange: 'coinbase',
    symbol: 'BTC-USD',
    bid_price: 1,
    bid_qty: 2,
    ask_price: 1.5,
    ask_qty: 3,
    ts: T0,
    recv_ts: T0,
    ...o,
  }),
  'gold.ohlcv': (o) => ({
    exchange: 'binance',
    symbol: 'BTC-USDT',
    timeframe: '1m',
    start: T0,
    open: 1,
    high: 2,
    low: 1,
    close: 2,
    volume: 3,
    quote_volume: 4,
    trades: 5,
    buy_volume: 1,
    vwap: 1.5,
    complete: true,
    source: 'trades',
    ...o,
  }),
  'bronze.frames': (o) => ({ exchange: 'coinbase', channel: 'matches', connection_id: 1, recv_ts: T0, data: '{}', ...o }),
  'bronze.dlq': (o) => ({ exchange: 'bitstamp', recv_ts: T0, raw: '{', error_code: 'PROTOCOL', error_message: 'bad', ...o }),
  'bronze.coverage': (o) => ({
    exchange: 'binance',
    symbol: 'BTC-USDT',
    kind: 'received',
    start_ts: T0,
    end_ts: T0 + 1,
    from_id: '1',
    to_id: '2',
    state: null,
    healed_by: null,
    detail: null,
    ...o,
  }),
}

describe('values at append()', () => {
  let dir: string
  let cleanup: () => void
  let lake: Lake
  beforeEach(async () => {
    ;({ dir, cleanup } = tempDir())
    lake = await openLake(join(dir, 'lake'))
  })
  afterEach(async () => {
    await lake.close()
    cleanup()
  })

  /** Appends a good row and then `bad` after it: VALIDATION naming row 1 and `column`, nothing written, queries still fine. */
  async function refused(table: TableName, bad: Record<string, unknown>, column: string, message?: RegExp) {
    const t = await lake.table(table)
    await t.append([rows[table]({})] as never)
    const n = (await t.scan()).length
    const before = treeDigest(join(dir, 'lake'))
    const err = await rejection(t.append([rows[table]({}), rows[table](bad)] as never))
    expect(codeOf(err), `${table} ${JSON.stringify(bad)}`).toBe('VALIDATION')
    expect(err?.message).toContain(`row 1 of ${table}: column "${column}"`)
    if (message) expect(err?.message).toMatch(message)
    expect((err as K2Error).details).toMatchObject({ row: 1, column })
    expect(treeDigest(join(dir, 'lake'))).toBe(before)
    expect(await lake.query(table).rows()).toHaveLength(n)
    expect(await t.scan()).toHaveLength(n)
  }

  it('case 5: glob characters in exchange, timeframe or any partition value never reach a path', async () => {
    await refused('silver.trades', { exchange: 'a*b' }, 'exchange', /a K2 exchange id/)
    await refused('gold.ohlcv', { timeframe: 'a*b' }, 'timeframe', /a timeframe such as/)
    await refused('bronze.frames', { exchange: 'a*b' }, 'exchange')
    await refused('bronze.dlq', { exchange: '[ab]' }, 'exchange')
    await refused('bronze.coverage', { exchange: '{a,b}' }, 'exchange')
    await refused('silver.book', { exchange: 'x?y' }, 'exchange')
  })

  it('case 6: an over-long exchange or identifier is VALIDATION, and the writer goes on', async () => {
    await refused('silver.trades', { exchange: 'x'.repeat(300) }, 'exchange')
    await refused('silver.trades', { id: '1'.repeat(129) }, 'id', /at most 128 characters/)
    await refused('bronze.frames', { channel: 'c'.repeat(129) }, 'channel')
    const t = await lake.table('silver.trades')
    const w = t.writer({ flushMs: 0 })
    await w.append(makeTrades(3, { startId: 100 }))
    await expect(w.append([trade({ exchange: 'x'.repeat(300), id: '999' })])).rejects.toMatchObject({ code: 'VALIDATION' })
    await w.append(makeTrades(3, { startId: 200 }))
    await w.close()
    expect((await t.scan()).map((r) => r.id).sort()).toEqual(['100', '101', '102', '200', '201', '202', '77'])
  })

  it('case 7: NUL is refused in identifiers and dictionary columns, and kept verbatim in raw payloads', async () => {
    await refused('silver.trades', { symbol: 'BTC-USDT\u0000z' }, 'symbol')
    await refused('silver.trades', { id: 'a\u0000b' }, 'id', /without NUL/)
    await refused('bronze.frames', { channel: 'trades\u0000' }, 'channel')
    await refused('bronze.dlq', { error_code: 'E\u0000' }, 'error_code')
    await refused('bronze.coverage', { from_id: '\u0000' }, 'from_id')
    await refused('silver.trades', { symbol: 'BTC-\udc00' }, 'symbol')
    const frames = await lake.table('bronze.frames')
    const payload = '{"a":"x\u0000y","b":"\u00e9\ud83d\ude00"}'
    await frames.append([rows['bronze.frames']({ data: payload, recv_ts: T0 + 5 })] as never)
    expect((await frames.scan()).find((r) => r.recv_ts === T0 + 5)?.data).toBe(payload)
    const dlq = await lake.table('bronze.dlq')
    await dlq.append([rows['bronze.dlq']({ raw: 'a\u0000b', error_message: 'm\u0000' })] as never)
    expect((await dlq.scan()).filter((r) => r.raw === 'a\u0000b')).toEqual([expect.objectContaining({ error_message: 'm\u0000' })])
  })

  it('case 8: milliseconds, non-canonical symbols and unknown exchanges are VALIDATION', async () => {
    const ms = Date.UTC(2024, 0, 31)
    await refused('silver.trades', { ts: ms }, 'ts', /looks like milliseconds/)
    await refused('silver.trades', { recvTs: ms }, 'recv_ts', /milliseconds/)
    await refused('silver.trades', { ts: Math.floor(ms / 1000) }, 'ts', /looks like seconds/)
    await refused('silver.trades', { symbol: 'BTCUSDT' }, 'symbol', /canonical symbol/)
    await refused('silver.trades', { symbol: 'btc-usdt' }, 'symbol')
    await refused('silver.trades', { exchange: 'mtgox' }, 'exchange', /binance-futures/) // venues of imported data are accepted, others not
    await refused('silver.trades', { side: 'BUY' }, 'side', /"buy", "sell", "unknown"/)
    await refused('silver.book', { side: 'buy' }, 'side', /"bid", "ask"/)
    await refused('gold.ohlcv', { start: 0 }, 'start')
    await refused('bronze.coverage', { end_ts: 2 ** 52 }, 'end_ts')
    await refused('bronze.coverage', { kind: 'gaps' }, 'kind')
    // the range is 2009 to 2100, both ends exact
    const t = await lake.table('silver.trades')
    const first = Date.UTC(2009, 0, 1) * 1000
    const last = Date.UTC(2100, 0, 1) * 1000 - 1
    await t.append([trade({ id: 'lo', ts: first, recvTs: first }), trade({ id: 'hi', ts: last, recvTs: last })])
    await expect(t.append([trade({ id: 'x', ts: first - 1 })])).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(t.append([trade({ id: 'y', ts: last + 1 })])).rejects.toMatchObject({ code: 'VALIDATION' })
    const sym = await lake.query('silver.trades').where({ symbol: 'BTC-USDT' }).rows()
    expect(sym.map((r) => r.id).sort()).toEqual(['77', 'hi', 'lo'])
  })

  it('imports are held to the same rules, naming the column (nothing is written)', async () => {
    const csv = join(dir, 'trades.csv')
    const line = (o: Record<string, unknown>) => {
      const r = { ...trade(), recv_ts: T0, ...o } as Record<string, unknown>
      return ['exchange', 'symbol', 'id', 'price', 'qty', 'side', 'ts', 'recv_ts'].map((c) => r[c]).join(',')
    }
    const cases: [Record<string, unknown>, string][] = [
      [{ exchange: 'a*b' }, 'exchange'],
      [{ exchange: 'x'.repeat(300) }, 'exchange'],
      [{ symbol: 'BTCUSDT!' }, 'symbol'],
      [{ ts: Date.UTC(2024, 0, 31) }, 'ts'],
      [{ side: 'BUY' }, 'side'],
      [{ id: 'i'.repeat(200) }, 'id'],
    ]
    await lake.table('silver.trades')
    const before = treeDigest(join(dir, 'lake'))
    for (const [bad, column] of cases) {
      writeFileSync(csv, `exchange,symbol,id,price,qty,side,ts,recv_ts\n${line({ id: '1' })}\n${line({ id: '2', ...bad })}\n`)
      const err = await rejection(importTrades(lake, [csv]))
      expect(codeOf(err), column).toBe('VALIDATION')
      expect(err?.message).toContain(`1 rows have a "${column}"`)
    }
    await expect(importTrades(lake, [csv], { exchange: 'a*b' })).rejects.toMatchObject({ code: 'VALIDATION' })
    expect(treeDigest(join(dir, 'lake'))).toBe(before)
    writeFileSync(
      csv,
      `exchange,symbol,id,price,qty,side,ts,recv_ts\n${line({ id: '1' })}\n${line({ id: '2', ts: T0 + MICROS_PER_DAY })}\n`,
    )
    expect(await importTrades(lake, [csv])).toMatchObject({ rows: 2 })
  })
})

describe('partition path segments', () => {
  // Seeded: the same strings every run.
  let seed = 12345
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed % n
  }
  const pieces = [
    'a',
    'Z',
    '0',
    '-',
    '_',
    '.',
    '..',
    '*',
    '?',
    '[',
    ']',
    '{',
    '}',
    '/',
    '\\',
    '%',
    ' ',
    '\u0000',
    '\n',
    'é',
    '😀',
    '~',
    "'",
    '"',
    '=',
  ]

  it('any valid value is a short, safe path segment, and distinct values stay distinct', () => {
    const seen = new Map<string, string>()
    for (let i = 0; i < 5000; i++) {
      const value = Array.from({ length: rand(i % 10 === 0 ? 300 : 12) + 1 }, () => pieces[rand(pieces.length)]).join('')
      const seg = pathSegment(value)
      expect(seg).toMatch(/^[A-Za-z0-9_.%~-]{1,64}$/)
      expect(checkDataFilePath(`/lake/t/data/exchange=${seg}/f.parquet`)).toBeTruthy()
      const other = seen.get(seg)
      if (other !== undefined) expect(other).toBe(value)
      seen.set(seg, value)
    }
    expect(pathSegment('binance')).toBe('binance')
    expect(pathSegment('a*b')).toBe('a%2Ab')
    expect(pathSegment('x'.repeat(300))).toMatch(/^x{40}~[0-9a-f]{16}$/)
  })
})
