import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DuckDBInstance } from '@duckdb/node-api'
import { importTrades } from '@k2/store'
import { describe, expect, it } from 'vitest'
import { makeTrades, SHARED_DIR, useTempLake } from './helpers.js'

const excerpt = fileURLToPath(new URL('./fixtures/tardis-binance-futures-trades-BTCUSDT-2020-02-22-excerpt.csv', import.meta.url))
const fullDay = join(SHARED_DIR, 'hist', 'binance-futures-um', 'BTCUSDT', 'tardis_binance-futures_trades_BTCUSDT_2020-02-22_0000-0205.csv')

/** The CSV parsed by hand, as the expected rows. */
function csvRows(path: string) {
  const [, ...lines] = readFileSync(path, 'utf8').trim().split('\n')
  return lines.map((l) => {
    const [, , timestamp, local, id, side, price, amount] = l.split(',')
    return { id: id as string, ts: Number(timestamp), recv_ts: Number(local), side, price: Number(price), qty: Number(amount) }
  })
}

describe('importing files of trades through the commit path', () => {
  const fx = useTempLake()

  it('imports a Tardis CSV of real Binance futures trades exactly, with canonical symbols', async () => {
    const r = await importTrades(fx.lake, [excerpt])
    expect(r).toMatchObject({ rows: 300, duplicates: 0, files: 1 })
    const t = await fx.lake.table('silver.trades')
    const rows = (await t.scan()).sort((a, b) => Number(a.id) - Number(b.id))
    const want = csvRows(excerpt)
    expect(rows.map((x) => ({ id: x.id, ts: x.ts, recv_ts: x.recv_ts, side: x.side, price: x.price, qty: x.qty }))).toEqual(want)
    expect(new Set(rows.map((x) => `${x.exchange} ${x.symbol}`))).toEqual(new Set(['binance-futures BTC-USDT']))
    expect((await t.history())[0]?.operation).toBe('append')
  })

  it('re-importing the same file adds nothing (dedup on exchange, symbol, id)', async () => {
    await importTrades(fx.lake, [excerpt])
    const again = await importTrades(fx.lake, [excerpt])
    expect(again).toMatchObject({ rows: 0, duplicates: 300, snapshotId: null })
    expect(await (await fx.lake.table('silver.trades')).scan()).toHaveLength(300)
    expect(await (await fx.lake.table('silver.trades')).history()).toHaveLength(1)
  })

  it('imports Parquet in K2 columns, and only the trades not already there', async () => {
    const trades = makeTrades(100)
    const t = await fx.lake.table('silver.trades')
    await t.append(trades.slice(0, 40))
    const parquet = join(fx.dir, 'in.parquet')
    const db = await DuckDBInstance.create(':memory:')
    const conn = await db.connect()
    const values = trades
      .map((x) => `('${x.exchange}', '${x.symbol}', '${x.id}', ${x.price}, ${x.qty}, '${x.side}', ${x.ts}, ${x.recvTs})`)
      .join(', ')
    await conn.run(
      `COPY (SELECT * FROM (VALUES ${values}) v(exchange, symbol, id, price, qty, side, ts, recv_ts)) TO '${parquet}' (FORMAT parquet)`,
    )
    conn.closeSync()
    db.closeSync()
    const r = await importTrades(fx.lake, [parquet])
    expect(r).toMatchObject({ rows: 60, duplicates: 40 })
    const back = await t.scan()
    expect(back.map((x) => Number(x.id)).sort((a, b) => a - b)).toEqual(trades.map((x) => Number(x.id)))
    expect(back.find((x) => x.id === '77')?.ts).toBe(trades[76]?.ts)
  })

  it('refuses unknown columns, missing files and bad values with what to do, writing nothing', async () => {
    const bad = join(fx.dir, 'bad.csv')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(bad, 'a,b\n1,2\n')
    await expect(importTrades(fx.lake, [bad])).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('Tardis') })
    await expect(importTrades(fx.lake, [join(fx.dir, 'nope.csv')])).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const negative = join(fx.dir, 'neg.csv')
    writeFileSync(
      negative,
      `${readFileSync(excerpt, 'utf8').split('\n').slice(0, 3).join('\n')}\nbinance-futures,BTCUSDT,1582329602111000,1582329602418379,1,buy,-5,0.1\n`,
    )
    await expect(importTrades(fx.lake, [negative])).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('nothing was written'),
    })
    expect(await (await fx.lake.table('silver.trades')).history()).toEqual([])
  })

  it('maps BitMEX XBTUSD to BTC-USD (not XB-TUSD) and keeps the venue bitmex', async () => {
    const f = join(fx.dir, 'bitmex.csv')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(
      f,
      'exchange,symbol,timestamp,local_timestamp,id,side,price,amount\nbitmex,XBTUSD,1583020803145000,1583020803307160,ccc3c1fa-212c-e8b0-1706-9b9c4f3d5ecf,sell,8531.5,2152\nbitmex,ETHUSD,1583020803145000,1583020803307160,b46c84da-6942-b404-ab94-18a9ad497fdd,buy,230.5,10\n',
    )
    await importTrades(fx.lake, [f])
    const rows = await (await fx.lake.table('silver.trades')).scan()
    expect(rows.map((x) => `${x.exchange} ${x.symbol}`).sort()).toEqual(['bitmex BTC-USD', 'bitmex ETH-USD'])
  })

  it('refuses to record binance-futures trades as binance (two id spaces), and unknown venues', async () => {
    await expect(importTrades(fx.lake, [excerpt], { exchange: 'binance' })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('binance-futures'),
    })
    await expect(importTrades(fx.lake, [excerpt], { exchange: 'binance_futures' })).rejects.toMatchObject({ code: 'VALIDATION' })
    expect(await (await fx.lake.table('silver.trades')).history()).toEqual([])
    await importTrades(fx.lake, [excerpt], { exchange: 'binance-futures' })
    expect(new Set((await (await fx.lake.table('silver.trades')).scan()).map((x) => x.exchange))).toEqual(new Set(['binance-futures']))
  })

  it(`imports the whole shared Tardis file (${existsSync(fullDay) ? 'present' : 'SKIPPED: ../shared/hist is not present (set K2_SHARED_DIR)'})`, async () => {
    if (!existsSync(fullDay)) return
    const r = await importTrades(fx.lake, [fullDay])
    expect(r.rows).toBe(9_999)
    const ids = (await (await fx.lake.table('silver.trades')).scan()).map((x) => Number(x.id)).sort((a, b) => a - b)
    expect(ids[0]).toBe(42377944)
    expect(ids.at(-1)).toBe(42387942)
    expect(new Set(ids).size).toBe(9_999) // the source says: no gaps, no repeats
  })
})
