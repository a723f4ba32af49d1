import { existsSync, writeFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { importFiles } from '@k2/store'
import { describe, expect, it } from 'vitest'
import { SHARED_DIR, useTempLake } from './helpers.js'
import { binanceTradeLines, writeZip } from './import-support.js'

const samples = join(SHARED_DIR, 'hist', 'tardis-samples')
const haveSamples = existsSync(samples)
const skipNote = haveSamples ? '' : ' (SKIPPED: ../shared/hist is not present; set K2_SHARED_DIR)'

describe('importing Binance public-data files', () => {
  const fx = useTempLake()

  it('imports a zipped spot trades file (no header, ms) with venue and symbol from its path and name', async () => {
    const dir = join(fx.dir, 'data', 'spot', 'daily', 'trades', 'BTCUSDT')
    await mkdir(dir, { recursive: true })
    const zip = join(dir, 'BTCUSDT-trades-2024-01-01.zip')
    await writeZip(zip, 'BTCUSDT-trades-2024-01-01.csv', binanceTradeLines(1000))
    const r = await importFiles(fx.lake, [zip])
    expect(r).toMatchObject({ rowsRead: 1000, rowsWritten: 1000, duplicates: 0, badRows: 0 })
    expect(r.files[0]).toMatchObject({ format: 'binance-trades', table: 'silver.trades', rowsRead: 1000 })
    const rows = (await (await fx.lake.table('silver.trades')).scan()).sort((a, b) => Number(a.id) - Number(b.id))
    expect(rows[0]).toMatchObject({ exchange: 'binance', symbol: 'BTC-USDT', id: '1', price: 42000, qty: 0.001, side: 'sell' })
    expect(rows[0]?.ts).toBe(Date.UTC(2024, 0, 1) * 1000)
    expect(rows[1]).toMatchObject({ id: '2', side: 'buy', price: 42000.01 })
  })

  it('reads µs timestamps (spot files since 2025) and ms ones to the same instants', async () => {
    const ms = join(fx.dir, 'BTCUSDT-trades-2025-01-01.csv')
    const micros = join(fx.dir, 'ETHUSDT-trades-2025-01-01.csv')
    const t0Ms = Date.UTC(2025, 0, 1)
    writeFileSync(ms, [...binanceTradeLines(10, { t0Ms })].join('\n'))
    writeFileSync(micros, [...binanceTradeLines(10, { t0Ms, micros: true })].join('\n'))
    await importFiles(fx.lake, [ms, micros])
    const rows = await (await fx.lake.table('silver.trades')).scan()
    const eth = rows.filter((x) => x.symbol === 'ETH-USDT').sort((a, b) => Number(a.id) - Number(b.id))
    const btc = rows.filter((x) => x.symbol === 'BTC-USDT').sort((a, b) => Number(a.id) - Number(b.id))
    expect(btc.map((x) => x.ts)).toEqual(btc.map((_, i) => (t0Ms + i) * 1000))
    expect(eth.map((x) => x.ts)).toEqual(eth.map((_, i) => (t0Ms + i) * 1000 + i))
  })

  it('imports USD-M futures trades (with a header, 6 fields) as binance-futures, never as binance', async () => {
    const dir = join(fx.dir, 'data', 'futures', 'um', 'daily', 'trades', 'BTCUSDT')
    await mkdir(dir, { recursive: true })
    const csv = join(dir, 'BTCUSDT-trades-2024-01-01.csv')
    const lines = [...binanceTradeLines(5)].map((l) => l.split(',').slice(0, 6).join(','))
    writeFileSync(csv, `id,price,qty,quote_qty,time,is_buyer_maker\n${lines.join('\n')}\n`)
    await importFiles(fx.lake, [csv])
    const rows = await (await fx.lake.table('silver.trades')).scan()
    expect(new Set(rows.map((x) => x.exchange))).toEqual(new Set(['binance-futures']))
    // Without a path that says which futures, a file with a header asks for the venue.
    const bare = join(fx.dir, 'BTCUSDT-trades-2024-01-01.csv')
    writeFileSync(bare, `id,price,qty,quote_qty,time,is_buyer_maker\n${lines.join('\n')}\n`)
    await expect(importFiles(fx.lake, [bare])).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('binance-futures'),
    })
  })

  it('re-importing the same file adds nothing', async () => {
    const zip = join(fx.dir, 'BTCUSDT-trades-2024-01-01.zip')
    await writeZip(zip, 'BTCUSDT-trades-2024-01-01.csv', binanceTradeLines(2000))
    await importFiles(fx.lake, [zip])
    const again = await importFiles(fx.lake, [zip])
    expect(again).toMatchObject({ rowsRead: 2000, rowsWritten: 0, duplicates: 2000 })
    expect(again.commits[0]?.snapshotId).toBeNull()
    const t = await fx.lake.table('silver.trades')
    expect(await t.scan()).toHaveLength(2000)
    expect(await t.history()).toHaveLength(1)
  })

  it('dedups across chunks and across two files of one import (one commit)', async () => {
    const a = join(fx.dir, 'BTCUSDT-trades-2024-01-01.csv')
    const b = join(fx.dir, 'BTCUSDT-trades-2024-01-02.csv')
    writeFileSync(a, [...binanceTradeLines(3000)].join('\n'))
    writeFileSync(b, [...binanceTradeLines(3000, { first: 2001 })].join('\n'))
    const r = await importFiles(fx.lake, [a, b], { chunkBytes: 20_000 })
    expect(r).toMatchObject({ rowsRead: 6000, rowsWritten: 5000, duplicates: 1000 })
    const t = await fx.lake.table('silver.trades')
    expect(new Set((await t.scan()).map((x) => x.id)).size).toBe(5000)
    expect(await t.history()).toHaveLength(1)
  })

  it('imports aggTrades and klines (the exchange own candles into gold.ohlcv, idempotently)', async () => {
    const agg = join(fx.dir, 'BTCUSDT-aggTrades-2024-01-01.csv')
    writeFileSync(agg, '26129,42000.5,0.01,27000,27002,1704067200000,true,true\n26130,42001,0.5,27003,27003,1704067200100,false,true\n')
    const spot = join(fx.dir, 'data', 'spot', 'daily', 'klines', 'BTCUSDT', '1m')
    await mkdir(spot, { recursive: true })
    const kl = join(spot, 'BTCUSDT-1m-2024-01-01.csv')
    writeFileSync(
      kl,
      'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n' +
        '1704067200000,42283.58,42298.62,42261.02,42298.61,35.92724000,1704067259999,1519048.10591710,1327,17.20119000,727304.80010030,0\n' +
        '1704067260000,42298.62,42320.00,42298.61,42320.00,21.50000000,1704067319999,909811.10000000,900,10.00000000,423100.00000000,0\n',
    )
    const r = await importFiles(fx.lake, [agg, kl])
    expect(r.files.map((f) => f.format)).toEqual(['binance-agg-trades', 'binance-klines'])
    const trades = await (await fx.lake.table('silver.trades')).scan()
    expect(trades.map((x) => [x.id, x.side])).toEqual(
      expect.arrayContaining([
        ['26129', 'sell'],
        ['26130', 'buy'],
      ]),
    )
    const gold = await fx.lake.table('gold.ohlcv')
    const candles = (await gold.scan()).sort((a, b) => a.start - b.start)
    expect(candles[0]).toMatchObject({
      exchange: 'binance',
      symbol: 'BTC-USDT',
      timeframe: '1m',
      start: 1704067200000000,
      open: 42283.58,
      volume: 35.92724,
      volume_exact: '35.92724',
      quote_volume_exact: '1519048.1059171',
      trades: 1327,
      source: 'exchange',
    })
    await importFiles(fx.lake, [kl])
    expect(await gold.scan()).toHaveLength(2)
  })
})

describe('malformed rows', () => {
  const fx = useTempLake()
  const lines = () => {
    const l = [...binanceTradeLines(10)]
    l[3] = '4,abc,0.1,1,1704067200003,True,True' // does not parse
    l[6] = '7,-5,0.1,1,1704067200006,True,True' // parses, but a negative price
    return l
  }

  it('stop (the default): K2Error VALIDATION naming file:line and reason, nothing committed', async () => {
    const f = join(fx.dir, 'BTCUSDT-trades-2024-01-01.csv')
    writeFileSync(f, `${lines().join('\n')}\n`)
    const err = await importFiles(fx.lake, [f]).catch((e) => e)
    expect(err).toMatchObject({ code: 'VALIDATION', details: { file: f, line: 4 } })
    expect(err.message).toContain(`${f}:4:`)
    expect(err.message).toContain('nothing was imported')
    expect(await (await fx.lake.table('silver.trades')).history()).toEqual([])
  })

  it('dlq: good rows are imported, bad rows go to bronze.dlq with file:line, reason and the raw line — once', async () => {
    const f = join(fx.dir, 'BTCUSDT-trades-2024-01-01.csv')
    writeFileSync(f, `${lines().join('\n')}\n`)
    const r = await importFiles(fx.lake, [f], { onBadRow: 'dlq', chunkBytes: 100 })
    expect(r).toMatchObject({ rowsRead: 10, rowsWritten: 8, badRows: 2, dlqRows: 2 })
    expect(r.badRowSamples.map((b) => [b.line, b.raw])).toEqual([
      [4, '4,abc,0.1,1,1704067200003,True,True'],
      [7, '7,-5,0.1,1,1704067200006,True,True'],
    ])
    expect(r.badRowSamples[1]?.reason).toBe('the price is not a positive number')
    await importFiles(fx.lake, [f], { onBadRow: 'dlq' })
    const dlq = (await (await fx.lake.table('bronze.dlq')).scan()).sort((a, b) => a.error_message.localeCompare(b.error_message))
    expect(dlq).toHaveLength(2)
    expect(dlq[0]).toMatchObject({ exchange: 'binance', raw: '4,abc,0.1,1,1704067200003,True,True', error_code: 'VALIDATION' })
    expect(dlq[0]?.error_message).toMatch(new RegExp(`^${f.replaceAll('/', '\\/')}:4: `))
    expect(await (await fx.lake.table('silver.trades')).scan()).toHaveLength(8)
  })

  it('refuses unknown venues, formats and symbols with what to pass', async () => {
    const f = join(fx.dir, 'trades.csv')
    writeFileSync(f, `${[...binanceTradeLines(3)].join('\n')}\n`)
    await expect(importFiles(fx.lake, [f], { venue: 'binance_futures' })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('binance-futures'),
    })
    await expect(importFiles(fx.lake, [f], { format: 'csv' as never })).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(importFiles(fx.lake, [f])).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('pass the symbol'),
    })
    await expect(importFiles(fx.lake, [f], { symbol: 'btcusdt' })).rejects.toMatchObject({ code: 'VALIDATION' })
    const r = await importFiles(fx.lake, [f], { symbol: 'BTC-USDT' })
    expect(r.rowsWritten).toBe(3)
  })
})

describe(`Tardis.dev CSVs${skipNote}`, () => {
  const fx = useTempLake()

  it.runIf(haveSamples)('trades: BitMEX XBTUSD is BTC-USD on venue bitmex', async () => {
    const r = await importFiles(fx.lake, [join(samples, 'bitmex_trades_XBTUSD.csv')])
    expect(r.rowsWritten).toBe(10)
    const rows = await (await fx.lake.table('silver.trades')).scan()
    expect(new Set(rows.map((x) => `${x.exchange} ${x.symbol}`))).toEqual(new Set(['bitmex BTC-USD']))
    expect(rows.find((x) => x.id === 'ccc3c1fa-212c-e8b0-1706-9b9c4f3d5ecf')).toMatchObject({
      price: 8531.5,
      qty: 2152,
      side: 'sell',
      ts: 1583020803145000,
    })
  })

  it.runIf(haveSamples)('a venue option that disagrees with the file is refused (binance-futures is not binance)', async () => {
    const f = join(SHARED_DIR, 'hist', 'binance-futures-um', 'BTCUSDT', 'tardis_binance-futures_trades_BTCUSDT_2020-02-22_0000-0205.csv')
    await expect(importFiles(fx.lake, [f], { venue: 'binance' })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('keeps its identity'),
    })
    const r = await importFiles(fx.lake, [f])
    expect(r.rowsWritten).toBe(9_999)
    expect(new Set((await (await fx.lake.table('silver.trades')).scan()).map((x) => x.exchange))).toEqual(new Set(['binance-futures']))
  })

  it.runIf(haveSamples)('incremental_book_L2 and book_snapshot_N into silver.book, quotes into silver.quotes, each once', async () => {
    const files = [
      'deribit_incremental_book_L2_BTC-PERPETUAL.csv',
      'binance-futures_book_snapshot_5_BTCUSDT.csv',
      'binance-futures_book_snapshot_25_BTCUSDT.csv',
      'huobi-dm-swap_quotes_BTC-USD.csv',
    ].map((f) => join(samples, f))
    const r = await importFiles(fx.lake, files)
    expect(r.files.map((f) => f.format)).toEqual(['tardis-book', 'tardis-book-snapshot', 'tardis-book-snapshot', 'tardis-quotes'])
    const book = await (await fx.lake.table('silver.book')).scan()
    const deribit = book.filter((x) => x.exchange === 'deribit')
    expect(deribit).toHaveLength(15)
    expect(deribit.every((x) => x.symbol === 'BTC-USD')).toBe(true)
    expect(deribit.find((x) => x.price === 6421.5)).toMatchObject({ kind: 'snapshot', side: 'ask', qty: 18640, ts: 1585699200245000 })
    const snap5 = book.filter((x) => x.exchange === 'binance-futures' && x.ts === 1598918403696000)
    // The same instant is in both the 5- and 25-level files: 10 + 50 levels.
    expect(snap5).toHaveLength(60)
    expect(snap5.find((x) => x.side === 'ask' && x.price === 11657.08)).toMatchObject({ qty: 1.714, kind: 'snapshot', symbol: 'BTC-USDT' })
    const quotes = await (await fx.lake.table('silver.quotes')).scan()
    expect(quotes).toHaveLength(10)
    expect(quotes.find((q) => q.ts === 1588291201099000)).toMatchObject({
      exchange: 'huobi-dm-swap',
      symbol: 'BTC-USD',
      bid_price: 8629.2,
      bid_qty: 806,
      ask_price: 8629.3,
      ask_qty: 5494,
    })
    const again = await importFiles(fx.lake, files)
    expect(again.files.every((f) => f.skipped)).toBe(true)
    expect(again.rowsWritten).toBe(0)
    expect(await (await fx.lake.table('silver.book')).scan()).toHaveLength(book.length)
    expect(await (await fx.lake.table('silver.quotes')).scan()).toHaveLength(10)
  })
})

describe('Kraken trade history', () => {
  const fx = useTempLake()

  it('imports timestamp,price,volume with stable ids, the same from any chunking', async () => {
    const f = join(fx.dir, 'XBTUSD.csv')
    const lines = [
      '1381095255,122.00000,0.10000000',
      '1381095255,123.61000,0.10000000',
      '1381179030.5,123.61000,0.01000000',
      '1381179030.5,124.0,1',
    ]
    for (let i = 0; i < 200; i++) lines.push(`1381200000,${100 + i},0.5`)
    writeFileSync(f, `${lines.join('\n')}\n`)
    const r = await importFiles(fx.lake, [f], { chunkBytes: 500 })
    expect(r.rowsWritten).toBe(204)
    const rows = await (await fx.lake.table('silver.trades')).scan()
    expect(new Set(rows.map((x) => `${x.exchange} ${x.symbol}`))).toEqual(new Set(['kraken BTC-USD']))
    expect(rows.find((x) => x.id === '1381095255000000-1')).toMatchObject({ price: 123.61, side: 'unknown' })
    expect(rows.find((x) => x.id === '1381179030500000-0')).toMatchObject({ ts: 1381179030500000 })
    expect(new Set(rows.map((x) => x.id)).size).toBe(204)
    const again = await importFiles(fx.lake, [f])
    expect(again).toMatchObject({ rowsWritten: 0, duplicates: 204 })
  })
})

describe('Tardis top-N book snapshots', () => {
  const fx = useTempLake()

  it("are marked top-N ('tick'), so lake.book() rebuilds from the full book and never from a top-5 view", async () => {
    const t0 = Date.UTC(2024, 0, 1) * 1000
    const levels = (side: string, n: number, base: number, step: number) =>
      Array.from({ length: n }, (_, i) => `binance,BTCUSDT,${t0},${t0 + 10},true,${side},${(base + i * step).toFixed(2)},1.5`)
    const l2 = join(fx.dir, 'binance_incremental_book_L2_BTCUSDT.csv')
    writeFileSync(
      l2,
      [
        `exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount`,
        ...levels('bid', 30, 41_999, -1),
        ...levels('ask', 30, 42_001, 1),
      ].join('\n'),
    )
    const top5 = join(fx.dir, 'binance_book_snapshot_5_BTCUSDT.csv')
    const header = Array.from({ length: 5 }, (_, i) => `asks[${i}].price,asks[${i}].amount,bids[${i}].price,bids[${i}].amount`).join(',')
    const row = Array.from({ length: 5 }, (_, i) => `${42_001 + i},1.5,${41_999 - i},1.5`).join(',')
    writeFileSync(top5, `exchange,symbol,timestamp,local_timestamp,${header}\nbinance,BTCUSDT,${t0 + 1_000_000},${t0 + 1_000_010},${row}\n`)
    await importFiles(fx.lake, [l2, top5])
    const rows = await (await fx.lake.table('silver.book')).scan()
    expect(rows.filter((r) => r.snapshot_interval === 'tick')).toHaveLength(10)
    expect(rows.filter((r) => r.snapshot_interval === null)).toHaveLength(60)
    const book = await fx.lake.book('binance', 'BTC-USDT', t0 + 2_000_000)
    expect(book?.bids).toHaveLength(30)
    expect(book?.asks).toHaveLength(30)
  })

  it('lake.book() continues an imported incremental_book_L2 snapshot (no sequence) with its updates, by exchange time', async () => {
    const t0 = Date.UTC(2024, 0, 1) * 1000
    const l2 = join(fx.dir, 'binance_incremental_book_L2_BTCUSDT.csv')
    const line = (t: number, snap: boolean, side: string, price: number, qty: number) =>
      `binance,BTCUSDT,${t},${t + 10},${snap},${side},${price.toFixed(2)},${qty}`
    writeFileSync(
      l2,
      [
        'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount',
        line(t0, true, 'bid', 41_999, 1),
        line(t0, true, 'bid', 41_998, 2),
        line(t0, true, 'ask', 42_001, 3),
        line(t0, true, 'ask', 42_002, 4),
        line(t0 + 1000, false, 'bid', 41_999, 0), // removes the best bid
        line(t0 + 2000, false, 'ask', 42_001, 5), // changes the best ask
        line(t0 + 3000, false, 'bid', 41_997, 6), // adds a level
        line(t0 + 9_000_000, false, 'ask', 42_003, 7), // after the time asked for
      ].join('\n'),
    )
    await importFiles(fx.lake, [l2])
    const book = await fx.lake.book('binance', 'BTC-USDT', t0 + 1_000_000)
    expect(book?.bids).toEqual([
      [41_998, 2],
      [41_997, 6],
    ])
    expect(book?.asks).toEqual([
      [42_001, 5],
      [42_002, 4],
    ])
  })
})
