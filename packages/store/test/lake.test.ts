import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { MICROS_PER_DAY } from '@k2/core'
import { type Lake, openLake, type Scheduler } from '@k2/store'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTrades, sortedKeys, T0, tempDir } from './helpers.js'

const KEY = ['exchange', 'symbol', 'id', 'price', 'qty', 'side', 'ts', 'recv_ts']

describe('lake tables, commits and reads', () => {
  let dir: string
  let cleanup: () => void
  let lake: Lake
  let nowUs: number

  beforeEach(async () => {
    ;({ dir, cleanup } = tempDir())
    nowUs = T0 + 10 * MICROS_PER_DAY
    lake = await openLake(join(dir, 'lake'), { clock: () => nowUs })
  })
  afterEach(async () => {
    await lake.close()
    cleanup()
  })

  it('creates a table with v1 metadata and a digits-only version hint on first use', async () => {
    expect(await lake.hasTable('silver.trades')).toBe(false) // asking does not create it
    expect(await lake.hasTable('silver.trades')).toBe(false)
    await lake.table('silver.trades')
    expect(await lake.hasTable('silver.trades')).toBe(true)
    expect(await lake.hasTable('silver.book')).toBe(false)
    const meta = join(dir, 'lake', 'silver', 'trades', 'metadata')
    expect(readFileSync(join(meta, 'version-hint.text'), 'utf8')).toBe('1')
    const v1 = JSON.parse(readFileSync(join(meta, 'v1.metadata.json'), 'utf8'))
    expect(v1['format-version']).toBe(2)
    expect(v1['current-snapshot-id']).toBe(-1)
    expect(v1['partition-specs'][0].fields.map((f: { name: string; transform: string }) => `${f.name}:${f.transform}`)).toEqual([
      'ts_day:day',
      'exchange:identity',
    ])
    expect(v1.location).toBe(`file://${join(dir, 'lake', 'silver', 'trades')}`)
  })

  it('appends trades (core events) and reads back exactly the same rows', async () => {
    const t = await lake.table('silver.trades')
    const trades = makeTrades(5_000, { stepUs: 60_000_000 }) // spans several days → several partitions
    const r = await t.append(trades)
    expect(r.rows).toBe(5_000)
    expect(r.files).toBeGreaterThan(2)
    const back = await t.scan()
    const expected = trades.map((x) => ({ ...x, recv_ts: x.recvTs }))
    expect(sortedKeys(back, KEY)).toEqual(sortedKeys(expected, KEY))
    expect(typeof back[0]?.ts).toBe('number')
  })

  it('keeps trade ids exactly as given, numeric or not (leading zeros, letters)', async () => {
    const t = await lake.table('silver.trades')
    const ids = ['007', 'a-1', '12', '9007199254740993', '1e3', ' 5']
    await t.append(makeTrades(ids.length).map((x, i) => ({ ...x, id: ids[i] as string })))
    await t.append(makeTrades(3, { startId: 100 }))
    expect((await t.scan()).map((r) => r.id).sort()).toEqual([...ids, '100', '101', '102'].sort())
    const f = (await t.files()).files.find((x) => x.recordCount === 3)
    expect([f?.lowerBounds.id, f?.upperBounds.id]).toEqual(['100', '102'])
  })

  it('accepts table rows for any table, e.g. gold.ohlcv partitioned by timeframe and month', async () => {
    const t = await lake.table('gold.ohlcv')
    const row = {
      exchange: 'kraken',
      symbol: 'BTC-USD',
      timeframe: '1m',
      start: T0,
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: 3,
      quote_volume: 4,
      trades: 5,
      buy_volume: 1,
      vwap: 1.3,
      complete: true,
      source: 'trades',
    }
    await t.append([row, { ...row, timeframe: '1d', start: T0 + 40 * MICROS_PER_DAY }])
    const { files } = await t.files()
    expect(files.map((f) => f.partition).sort((a, b) => String(a.timeframe).localeCompare(String(b.timeframe)))).toEqual([
      { timeframe: '1d', start_month: 650 }, // 2024-03
      { timeframe: '1m', start_month: 648 }, // 2024-01: (2024 − 1970) × 12
    ])
    expect(await t.scan()).toHaveLength(2)
  })

  it('accepts core Candle objects for gold.ohlcv (camelCase fields map to snake_case columns)', async () => {
    const t = await lake.table('gold.ohlcv')
    const candle = {
      exchange: 'binance' as const,
      symbol: 'BTC-USDT' as const,
      timeframe: '1m' as const,
      start: T0,
      open: 10,
      high: 12,
      low: 9,
      close: 11,
      volume: 2,
      quoteVolume: 21,
      trades: 3,
      buyVolume: 1,
      vwap: 10.5,
      complete: true,
      source: 'trades' as const,
    }
    await t.append([candle])
    expect(await t.scan()).toEqual([
      {
        exchange: 'binance',
        symbol: 'BTC-USDT',
        timeframe: '1m',
        start: T0,
        open: 10,
        high: 12,
        low: 9,
        close: 11,
        volume: 2,
        quote_volume: 21,
        trades: 3,
        buy_volume: 1,
        vwap: 10.5,
        complete: true,
        source: 'trades',
        volume_exact: null,
        quote_volume_exact: null,
        buy_volume_exact: null,
      },
    ])
  })

  it('records history and travels in time by snapshot id and by timestamp', async () => {
    const t = await lake.table('silver.trades')
    await t.append(makeTrades(100))
    nowUs += 60_000_000
    await t.append(makeTrades(50, { startId: 1000 }))
    const h = await t.history()
    expect(h.map((s) => [s.operation, s.addedRows, s.totalRows, s.current])).toEqual([
      ['append', 100, 100, false],
      ['append', 50, 150, true],
    ])
    expect(h[1]?.parentId).toBe(h[0]?.snapshotId)
    expect(await t.scan({ snapshot: h[0]?.snapshotId as bigint })).toHaveLength(100)
    expect(await t.scan({ at: (h[0]?.timestamp as number) + 1000 })).toHaveLength(100)
    expect(await t.scan({ at: nowUs })).toHaveLength(150)
    await expect(t.scan({ at: T0 })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(t.scan({ snapshot: 12345n })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('reads incrementally: the rows added between two snapshots', async () => {
    const t = await lake.table('silver.trades')
    await t.append(makeTrades(100))
    const first = (await t.currentSnapshotId()) as bigint
    await t.append(makeTrades(30, { startId: 500 }))
    await t.append(makeTrades(20, { startId: 900 }))
    const c = await t.changes(first)
    expect(c.rows).toHaveLength(50)
    expect(c.rows.every((r) => Number(r.id) >= 500)).toBe(true)
    expect(c.toSnapshotId).toBe(await t.currentSnapshotId())
  })

  it('serves the FileCatalog: files with partition values, bounds and null counts', async () => {
    const t = await lake.table('silver.trades')
    const trades = makeTrades(10)
    await t.append(trades)
    const snap = await lake.files('silver.trades')
    expect(snap.snapshotId).toBe(await t.currentSnapshotId())
    const [f] = snap.files
    expect(snap.files).toHaveLength(1)
    expect(existsSync(f?.path as string)).toBe(true)
    expect(f?.recordCount).toBe(10)
    expect(f?.partition).toEqual({ ts_day: Math.floor(T0 / MICROS_PER_DAY), exchange: 'binance' })
    expect(f?.lowerBounds.ts).toBe(T0)
    expect(f?.upperBounds.ts).toBe(T0 + 9_000_000)
    expect(f?.lowerBounds.id).toBe('1')
    expect(f?.upperBounds.id).toBe('9') // string order: "10" < "9"
    expect(f?.lowerBounds.price).toBe(Math.min(...trades.map((x) => x.price)))
    expect(f?.nullCounts.symbol).toBe(0)
    const empty = await lake.files('silver.book')
    expect(empty).toEqual({ table: 'silver.book', snapshotId: null, files: [] })
  })

  it('writer flushes on size and on time (injected scheduler), and only then are rows visible', async () => {
    const t = await lake.table('silver.trades')
    const timers: (() => void)[] = []
    const scheduler: Scheduler = { setTimeout: (fn) => timers.push(fn), clearTimeout: () => {} }
    const w = t.writer({ flushRows: 100, flushMs: 1000, scheduler })
    await w.append(makeTrades(150))
    expect((await t.scan()).length).toBe(150) // 150 ≥ 100 → flushed at append
    await w.append(makeTrades(10, { startId: 1000 }))
    expect((await t.scan()).length).toBe(150)
    expect(timers).toHaveLength(1)
    timers[0]?.()
    await w.flush()
    expect((await t.scan()).length).toBe(160)
    await w.close()
    await expect(w.append(makeTrades(1))).rejects.toMatchObject({ code: 'CLOSED' })
    expect(w.stats()).toMatchObject({ appended: 160, committed: 160, commits: 2 })
  })

  it('rejects rows that fail the schema with the row and column, buffering nothing', async () => {
    const t = await lake.table('silver.trades')
    const w = t.writer({ flushMs: 0 })
    const bad = [...makeTrades(3), { ...makeTrades(1)[0], ts: 1.5 }]
    const err = await w.append(bad as never).catch((e) => e)
    expect(err).toMatchObject({ code: 'VALIDATION' })
    expect(err.message).toContain('row 3')
    expect(err.message).toContain('"ts"')
    expect(w.stats().buffered).toBe(0)
    await expect(t.append([{ exchange: 'binance' }] as never)).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(t.append([null] as never)).rejects.toMatchObject({ code: 'VALIDATION' })
    expect(await t.history()).toEqual([])
  })
})

describe('string bounds of long values', () => {
  it('are truncated prefixes that still bound every value (upper bumped), in UTF-8 order', async () => {
    const { truncateLower, truncateUpper } = await import('../src/write/parquet-files.js')
    const long = `${'a'.repeat(63)}z${'q'.repeat(100)}`
    expect(truncateLower(long)).toBe(`${'a'.repeat(63)}z`)
    expect(truncateUpper(long)).toBe(`${'a'.repeat(63)}{`) // 'z' + 1
    expect(truncateUpper(`${'b'.repeat(63)}\u{10FFFF}xyz`)).toBe(`${'b'.repeat(62)}c`)
    expect(truncateUpper('short')).toBe('short')
    const emoji = `${'é'.repeat(63)}😀${'x'.repeat(5)}`
    const up = truncateUpper(emoji) as string
    expect(Buffer.compare(Buffer.from(up), Buffer.from(emoji))).toBe(1)
    expect(Buffer.compare(Buffer.from(truncateLower(emoji)), Buffer.from(emoji))).toBe(-1)
  })

  it('keep manifests small for bronze.frames with large frames', async () => {
    const { dir, cleanup } = tempDir()
    const lake = await openLake(join(dir, 'lake'))
    try {
      const t = await lake.table('bronze.frames')
      const big = JSON.stringify({ bids: Array.from({ length: 2000 }, (_, i) => [i, i]) })
      await t.append([{ exchange: 'kraken', channel: 'book', connection_id: 1, recv_ts: T0, data: big }])
      const [f] = (await t.files()).files
      expect(String(f?.lowerBounds.data).length).toBe(64)
      expect((await t.scan())[0]?.data).toBe(big)
    } finally {
      await lake.close()
      cleanup()
    }
  })
})
