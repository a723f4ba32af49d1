import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MICROS_PER_DAY } from '@k2/core'
import { type Lake, openLake } from '@k2/store'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeAvroFile } from '../src/iceberg/avro-file.js'
import { makeTrades, sortedKeys, T0, tempDir } from './helpers.js'

const KEY = ['exchange', 'symbol', 'id', 'price', 'qty', 'side', 'ts', 'recv_ts']

describe('maintenance: expiry, retention, compaction, orphans', () => {
  let dir: string
  let cleanup: () => void
  let lake: Lake
  let nowUs: number

  beforeEach(async () => {
    ;({ dir, cleanup } = tempDir())
    nowUs = T0 + MICROS_PER_DAY
    lake = await openLake(join(dir, 'lake'), { clock: () => nowUs })
  })
  afterEach(async () => {
    await lake.close()
    cleanup()
  })

  it('compact() rewrites many small files of a partition into one, with the same rows', async () => {
    const t = await lake.table('silver.trades')
    for (let i = 0; i < 6; i++) await t.append(makeTrades(50, { startId: 1 + i * 50, start: T0 + i * 50_000_000 }))
    const before = await t.scan()
    expect((await t.files()).files).toHaveLength(6)
    const r = await t.compact()
    expect(r).toMatchObject({ rewrittenFiles: 6, addedFiles: 1 })
    const { files } = await t.files()
    expect(files).toHaveLength(1)
    expect(files[0]?.recordCount).toBe(300)
    expect(sortedKeys(await t.scan(), KEY)).toEqual(sortedKeys(before, KEY))
    const last = (await t.history()).at(-1)
    expect(last).toMatchObject({ operation: 'replace', addedRows: 300, deletedRows: 300, totalRows: 300, totalFiles: 1 })
    // the old snapshot still reads its old files until expired
    expect(await t.scan({ snapshot: (await t.history())[5]?.snapshotId as bigint })).toHaveLength(300)
    expect((await t.compact()).rewrittenFiles).toBe(0) // nothing left to compact
    // compaction also folds the six one-file manifests into one; emptied manifests are then dropped
    const manifests = async () => {
      const { metadata } = await t.current()
      const list = metadata.snapshots.at(-1)?.['manifest-list'].replace('file://', '') as string
      return decodeAvroFile<{ added_files_count: number; existing_files_count: number; deleted_files_count: number }>(readFileSync(list))
        .records
    }
    expect((await manifests()).map((m) => [m.added_files_count, m.existing_files_count, m.deleted_files_count])).toEqual([
      [1, 0, 0],
      [0, 0, 6],
    ])
    await t.append(makeTrades(5, { startId: 900 }))
    expect(await manifests()).toHaveLength(2)
    expect(await t.scan()).toHaveLength(305)
  })

  it('expireSnapshots() drops old snapshots and only the files no remaining snapshot needs', async () => {
    const t = await lake.table('silver.trades')
    for (let i = 0; i < 3; i++) await t.append(makeTrades(20, { startId: 1 + i * 20 }))
    await t.compact()
    const oldFiles = (await t.files({ snapshot: (await t.history())[2]?.snapshotId as bigint })).files.map((f) => f.path)
    nowUs += 8 * MICROS_PER_DAY
    await t.append(makeTrades(5, { startId: 500 }))
    const r = await t.expireSnapshots({ olderThan: '7d' })
    expect(r.expiredSnapshots).toBe(4)
    expect(r.deletedFiles).toBeGreaterThan(3)
    const h = await t.history()
    expect(h).toHaveLength(1)
    expect(h[0]?.current).toBe(true)
    for (const f of oldFiles) expect(existsSync(f)).toBe(false)
    expect(await t.scan()).toHaveLength(65)
    await expect(t.scan({ snapshot: 1n })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect((await t.expireSnapshots({ olderThan: '7d' })).expiredSnapshots).toBe(0)
  })

  it('retention per timeframe: 1m candles kept 90 days, 1d candles 5 years, by an overwrite commit', async () => {
    const candle = (timeframe: string, start: number) => ({
      exchange: 'binance',
      symbol: 'BTC-USDT',
      timeframe,
      start,
      open: 1,
      high: 1,
      low: 1,
      close: 1,
      volume: 1,
      quote_volume: 1,
      trades: 1,
      buy_volume: 0,
      vwap: 1,
      complete: true,
      source: 'trades',
    })
    const l2 = await openLake(join(dir, 'lake'), {
      clock: () => nowUs,
      retention: {
        'gold.ohlcv': [
          { timeframe: '1m', maxAge: '90d' },
          { timeframe: '1d', maxAge: `${5 * 365}d` },
        ],
      },
    })
    const t = await l2.table('gold.ohlcv')
    const days = [1, 30, 89, 91, 200, 1000, 2000] // days before "now"
    await t.append(days.flatMap((d) => [candle('1m', nowUs - d * MICROS_PER_DAY), candle('1d', nowUs - d * MICROS_PER_DAY)]))
    // a straddling file: one file holding both kept and expired 1m candles of one month partition
    const r = await l2.applyRetention()
    expect(r['gold.ohlcv']?.deletedRows).toBe(4 + 1) // 1m: 91, 200, 1000, 2000 days; 1d: 2000 days
    const rows = await t.scan()
    const age = (r2: { start: number }) => Math.round((nowUs - r2.start) / MICROS_PER_DAY)
    expect(
      rows
        .filter((x) => x.timeframe === '1m')
        .map(age)
        .sort((a, b) => a - b),
    ).toEqual([1, 30, 89])
    expect(
      rows
        .filter((x) => x.timeframe === '1d')
        .map(age)
        .sort((a, b) => a - b),
    ).toEqual([1, 30, 89, 91, 200, 1000])
    expect((await t.history()).at(-1)?.operation).toBe('overwrite')
    l2.close()
  })

  it('retention rewrites a file that straddles the cut-off, keeping its newer rows', async () => {
    const t = await lake.table('silver.trades')
    // one day partition: trades every hour from 00:00 to 23:00
    await t.append(makeTrades(24, { start: T0, stepUs: 3_600_000_000 }))
    nowUs = T0 + 22 * 3_600_000_000
    const r = await t.applyRetention({ maxAge: '10h' })
    expect(r.deletedRows).toBe(12) // 00:00..11:00 are older than 12:00
    const left = (await t.scan()).map((x) => x.ts).sort((a, b) => a - b)
    expect(left[0]).toBe(T0 + 12 * 3_600_000_000)
    expect(left).toHaveLength(12)
  })

  it('removeOrphans() deletes unreferenced files older than the grace period and keeps fresh ones', async () => {
    const t = await lake.table('silver.trades')
    await t.append(makeTrades(10))
    const dataDir = join(t.dir, 'data')
    const stale = join(dataDir, 'stale-orphan.parquet')
    const fresh = join(dataDir, 'fresh-orphan.parquet')
    writeFileSync(stale, 'x')
    writeFileSync(fresh, 'x')
    const realNowMs = Date.now()
    nowUs = realNowMs * 1000 // the grace period is judged against file mtimes, which are real time
    const old = new Date(realNowMs - 4 * 86_400_000)
    utimesSync(stale, old, old)
    const r = await t.removeOrphans({ olderThan: '3d' })
    expect(r.deleted).toEqual([stale])
    expect(existsSync(fresh)).toBe(true)
    expect(await t.scan()).toHaveLength(10)
    expect(readdirSync(join(t.dir, 'metadata'))).toContain('version-hint.text')
  })
})
