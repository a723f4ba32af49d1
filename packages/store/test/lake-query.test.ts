import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { K2Error } from '@k2/core'
import { openLake } from '@k2/store'
import { afterEach, describe, expect, it } from 'vitest'
import { makeTrades, T0, tempDir } from './helpers.js'

const dirs: (() => void)[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) d()
})

describe('lake.query / lake.sql', () => {
  it('query the current snapshot, see each new commit, and time-travel', async () => {
    const { dir, cleanup } = tempDir()
    dirs.push(cleanup)
    const lake = await openLake(dir)
    const trades = await lake.table('silver.trades')
    const first = await trades.append(makeTrades(10))
    const count = () =>
      lake
        .query('silver.trades')
        .aggregate((f) => ({ n: f.count() }))
        .rows()
    expect(await count()).toEqual([{ n: 10 }])
    await trades.append(makeTrades(5, { startId: 11, start: T0 + 10_000_000 }))
    expect(await count()).toEqual([{ n: 15 }]) // the cached file list of the old snapshot is not reused
    expect(
      await lake
        .query('silver.trades')
        .asOf(first.snapshotId as bigint)
        .aggregate((f) => ({ n: f.count() }))
        .rows(),
    ).toEqual([{ n: 10 }])

    const r = await lake.sql`select symbol, count(*) as n from ${lake.ref('silver.trades')} where price > ${0} group by 1 order by 1`
    expect(r.rows).toEqual([
      { symbol: 'BTC-USDT', n: 8 },
      { symbol: 'ETH-USDT', n: 7 },
    ])
    expect(r.lineage.tables[0]?.snapshotId).toBe(String(await trades.currentSnapshotId()))
    await lake.close()
  })

  it('still reports a metadata file damaged by hand after it was read once', async () => {
    const { dir, cleanup } = tempDir()
    dirs.push(cleanup)
    const lake = await openLake(dir)
    const trades = await lake.table('silver.trades')
    await trades.append(makeTrades(3))
    expect(await trades.currentSnapshotId()).not.toBeNull()
    const { file } = await trades.current()
    writeFileSync(file, '{"format-version": 2, "truncat')
    const reopened = await openLake(dir)
    const read = async () => (await reopened.table('silver.trades')).scan()
    await expect(read()).rejects.toSatisfy((e: unknown) => K2Error.isInstance(e) && e.code === 'CORRUPT_TABLE')
    expect(file.startsWith(join(dir, 'silver', 'trades', 'metadata'))).toBe(true)
    await lake.close()
    await reopened.close()
  })
})
