import { join } from 'node:path'
import { K2Error, MICROS_PER_DAY, MICROS_PER_MINUTE } from '@k2/core'
import { openLake } from '@k2/store'
import { describe, expect, it } from 'vitest'
import { sortedKeys, T0, useTempLake } from './helpers.js'

const KEY = ['exchange', 'symbol', 'timeframe', 'start', 'source'] as const

const candle = (symbol: string, minute: number, close: number, timeframe = '1m') => ({
  exchange: 'binance',
  symbol,
  timeframe,
  start: T0 + minute * MICROS_PER_MINUTE,
  open: close,
  high: close,
  low: close,
  close,
  volume: 1,
  quote_volume: close,
  trades: 1,
  buy_volume: 0,
  vwap: close,
  complete: true,
  volume_exact: '1',
  quote_volume_exact: String(close),
  buy_volume_exact: '0',
  source: 'trades',
})

const cols = ['symbol', 'timeframe', 'start', 'close']

describe('LakeTable.replaceRows: one overwrite commit of exactly some keys', () => {
  const fx = useTempLake()

  it('replaces exactly the rows with a new key, keeps the others and files without such rows, in one snapshot', async () => {
    const gold = await fx.lake.table('gold.ohlcv')
    await gold.append([candle('BTC-USDT', 0, 1), candle('BTC-USDT', 1, 2), candle('ETH-USDT', 0, 3)])
    await gold.append([candle('BTC-USDT', 0, 4, '1d')]) // another partition: must not be rewritten
    await gold.append([candle('BTC-USDT', 40 * 24 * 60, 5)]) // another month
    const before = await gold.files()
    const untouched = before.files.filter((f) => f.partition.timeframe === '1d' || f.lowerBounds.start === T0 + 40 * MICROS_PER_DAY)
    expect(untouched).toHaveLength(2)
    const snaps = (await gold.history()).length

    const r = await gold.replaceRows([candle('BTC-USDT', 1, 20), candle('SOL-USDT', 2, 30)], {
      key: KEY,
      summary: { 'k2.rollup.silver-snapshot-id': '1234567890123456789' },
    })
    expect(r).toMatchObject({ rows: 2, replacedRows: 1, rewrittenFiles: 1 })
    const history = await gold.history()
    expect(history).toHaveLength(snaps + 1)
    const last = history.at(-1)
    expect(last?.operation).toBe('overwrite')
    expect(last?.snapshotId).toBe(r.snapshotId)
    expect(last?.summary['k2.rollup.silver-snapshot-id']).toBe('1234567890123456789')
    expect(last?.summary['deleted-data-files']).toBe('1')
    expect(sortedKeys(await gold.scan(), cols)).toEqual(
      sortedKeys(
        [
          candle('BTC-USDT', 0, 1),
          candle('BTC-USDT', 1, 20),
          candle('ETH-USDT', 0, 3),
          candle('SOL-USDT', 2, 30),
          candle('BTC-USDT', 0, 4, '1d'),
          candle('BTC-USDT', 40 * 24 * 60, 5),
        ],
        cols,
      ),
    )
    const after = new Set((await gold.files()).files.map((f) => f.path))
    for (const f of untouched) expect(after.has(f.path)).toBe(true)
  })

  it('a key a file holds only once: the file is dropped, not rewritten empty', async () => {
    const gold = await fx.lake.table('gold.ohlcv')
    await gold.append([candle('BTC-USDT', 0, 1)])
    const r = await gold.replaceRows([candle('BTC-USDT', 0, 2)], { key: KEY })
    expect(r).toMatchObject({ rows: 1, replacedRows: 1, rewrittenFiles: 1 })
    expect((await gold.files()).files).toHaveLength(1)
    expect((await gold.scan()).map((c) => c.close)).toEqual([2])
  })

  it('a bad row, a repeated key or bad options leave the table unchanged (VALIDATION)', async () => {
    const gold = await fx.lake.table('gold.ohlcv')
    await gold.append([candle('BTC-USDT', 0, 1)])
    const version = (await gold.current()).version
    const bad = [
      () => gold.replaceRows([candle('BTC-USDT', 0, 2), { ...candle('BTC-USDT', 1, 2), symbol: 'BTCUSDT' }], { key: KEY }),
      () => gold.replaceRows([candle('BTC-USDT', 0, 2), { ...candle('BTC-USDT', 1, 2), volume_exact: '1e5' }], { key: KEY }),
      () => gold.replaceRows([candle('BTC-USDT', 0, 2), candle('BTC-USDT', 0, 3)], { key: KEY }),
      () => gold.replaceRows([candle('BTC-USDT', 0, 2)], { key: ['nope'] }),
      () => gold.replaceRows([candle('BTC-USDT', 0, 2)], { key: [] }),
      () => gold.replaceRows([candle('BTC-USDT', 0, 2)], { key: KEY, summary: { operation: 'append' } }),
      () => gold.replaceRows([candle('BTC-USDT', 0, 2)], { key: KEY, summary: { 'total-records': '0' } }),
    ]
    for (const call of bad) {
      const err = await call().catch((e: unknown) => e)
      expect(K2Error.isInstance(err) && err.code).toBe('VALIDATION')
    }
    expect((await gold.current()).version).toBe(version)
    expect((await gold.scan()).map((c) => c.close)).toEqual([1])
    expect(await gold.removeOrphans({ olderThan: 0 })).toEqual({ deleted: [] }) // no file was left behind
  })

  it('appends committed concurrently by another process are kept (the commit retries on what the winner added)', async () => {
    const gold = await fx.lake.table('gold.ohlcv')
    const other = await openLake(join(fx.dir, 'lake'))
    try {
      const theirs = await other.table('gold.ohlcv')
      await gold.append([candle('BTC-USDT', 0, 1)])
      const appended: ReturnType<typeof candle>[] = []
      for (let i = 0; i < 12; i++) {
        const mine = [candle('BTC-USDT', 0, 100 + i), candle('BTC-USDT', 1000 + i, 7)]
        const them = [candle('ETH-USDT', i, i), candle('ETH-USDT', 5000 + i, i)]
        appended.push(...them)
        await Promise.all([gold.replaceRows(mine, { key: KEY }), theirs.append(them)])
      }
      const rows = await gold.scan()
      const eth = rows.filter((c) => c.symbol === 'ETH-USDT')
      expect(sortedKeys(eth, cols)).toEqual(sortedKeys(appended, cols))
      const first = rows.filter((c) => c.symbol === 'BTC-USDT' && c.start === T0)
      expect(first.map((c) => c.close)).toEqual([111]) // replaced each time, never duplicated
      expect(rows.filter((c) => c.symbol === 'BTC-USDT')).toHaveLength(13)
    } finally {
      await other.close()
    }
  })

  it('every live row with the key is replaced, also when appends left several', async () => {
    const gold = await fx.lake.table('gold.ohlcv')
    await gold.append([candle('BTC-USDT', 0, 1)])
    await gold.append([candle('BTC-USDT', 0, 1)]) // two live rows with one key (append does not dedup gold)
    await gold.replaceRows([candle('BTC-USDT', 0, 9)], { key: KEY })
    expect((await gold.scan()).map((c) => c.close)).toEqual([9])
  })
})
