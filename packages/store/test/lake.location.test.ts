import { cpSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { MICROS_PER_DAY } from '@k2/core'
import { type Lake, type LakeTable, openLake } from '@k2/store'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTrades, sortedKeys, T0, tempDir, treeDigest } from './helpers.js'

// Issue #10, case 1: maintenance on a copied lake deleted the original's files (metadata holds
// absolute file:// paths), and a moved lake did not open.

const KEY = ['exchange', 'symbol', 'id', 'price', 'qty', 'side', 'ts', 'recv_ts']

describe('a copied or moved lake: reads map the paths, writes refuse until relocate(), the original is never touched', () => {
  let dir: string
  let cleanup: () => void
  let nowUs: number
  const lakes: Lake[] = []
  const open = async (path: string) => {
    const lake = await openLake(path, { clock: () => nowUs })
    lakes.push(lake)
    return lake
  }

  /** A lake with two tables, several small files per partition and three snapshots of trades. */
  async function makeLake(path: string): Promise<{ rows: string[]; firstSnapshot: bigint }> {
    const lake = await open(path)
    const t = await lake.table('silver.trades')
    const first = await t.append(makeTrades(40, { stepUs: 3_600_000_000 })) // 40 h: two days
    await t.append(makeTrades(40, { startId: 100, stepUs: 3_600_000_000 }))
    await t.append(makeTrades(40, { startId: 200, stepUs: 3_600_000_000 }))
    await (await lake.table('bronze.frames')).append([
      { exchange: 'binance', channel: 'trade', connection_id: 1, recv_ts: T0, data: '{"e":"trade"}' },
      { exchange: 'kraken', channel: 'trade', connection_id: 2, recv_ts: T0 + 1, data: '[0]' },
    ])
    const rows = sortedKeys(await t.scan(), KEY)
    await lake.close()
    return { rows, firstSnapshot: first.snapshotId as bigint }
  }

  /** Every write and maintenance operation, each expected to refuse with TABLE_MOVED. */
  async function expectAllRefused(t: LakeTable<'silver.trades'>) {
    const moved = { code: 'TABLE_MOVED', message: expect.stringContaining('lake.relocate()') }
    await expect(t.append(makeTrades(1, { startId: 9000 }))).rejects.toMatchObject(moved)
    await expect(t.compact()).rejects.toMatchObject(moved)
    await expect(t.expireSnapshots({ olderThan: '0d' })).rejects.toMatchObject(moved)
    await expect(t.applyRetention({ maxAge: '1h' })).rejects.toMatchObject(moved)
    await expect(t.removeOrphans({ olderThan: 0 })).rejects.toMatchObject(moved)
    const w = t.writer()
    await w.append(makeTrades(1, { startId: 9001 }))
    await expect(w.flush()).rejects.toMatchObject(moved)
  }

  /** Every maintenance operation, after relocation; returns the rows left. */
  async function runEveryMaintenance(lake: Lake) {
    const t = await lake.table('silver.trades')
    expect((await t.compact()).rewrittenFiles).toBeGreaterThan(1)
    await t.append(makeTrades(5, { startId: 5000, start: T0 + MICROS_PER_DAY + 1 }))
    nowUs += MICROS_PER_DAY
    expect((await t.expireSnapshots({ olderThan: '0d' })).deletedFiles).toBeGreaterThan(0)
    expect((await t.applyRetention({ maxAge: '2d' })).deletedRows).toBeGreaterThan(0)
    nowUs += MICROS_PER_DAY
    await t.expireSnapshots({ olderThan: '0d' })
    await t.removeOrphans({ olderThan: 0 })
    await (await lake.table('bronze.frames')).compact()
    return t.scan()
  }

  beforeEach(() => {
    ;({ dir, cleanup } = tempDir())
    nowUs = T0 + 2 * MICROS_PER_DAY
  })
  afterEach(async () => {
    for (const l of lakes.splice(0)) await l.close()
    cleanup()
  })

  it('cp -r X Y: Y reads X’s rows; every write and maintenance on Y refuses until relocate(), then works; X stays byte-for-byte intact', async () => {
    const x = join(dir, 'x')
    const y = join(dir, 'y')
    const { rows, firstSnapshot } = await makeLake(x)
    const before = treeDigest(x)
    cpSync(x, y, { recursive: true })

    const copy = await open(y)
    const t = await copy.table('silver.trades')
    await expectAllRefused(t)
    expect(treeDigest(x)).toBe(before)
    expect(await t.location()).toMatchObject({ moved: true, dir: join(y, 'silver', 'trades') })
    expect(sortedKeys(await t.scan(), KEY)).toEqual(rows)
    expect(await t.scan({ snapshot: firstSnapshot })).toHaveLength(40)
    // Reads go to Y's files, not X's: the query layer is handed paths under Y.
    for (const f of (await copy.files('silver.trades')).files) expect(f.path.startsWith(`${y}/`)).toBe(true)
    const [{ n }] = (await copy.sql`select count(*)::INT as n from ${copy.ref('silver.trades')}`.rows()) as [{ n: number }]
    expect(n).toBe(120)

    const relocated = await copy.relocate()
    expect(relocated.map((r) => r.table).sort()).toEqual(['bronze.frames', 'silver.trades'])
    expect(relocated[0]?.to).toMatch(/^file:\/\/\//)
    expect(await t.location()).toMatchObject({ moved: false })
    expect(await copy.relocate()).toEqual([]) // nothing left to move
    expect(sortedKeys(await t.scan(), KEY)).toEqual(rows)
    expect(await t.scan({ snapshot: firstSnapshot })).toHaveLength(40) // time travel survives relocation

    const left = await runEveryMaintenance(copy)
    expect(left.length).toBeGreaterThan(0)
    expect(treeDigest(x)).toBe(before) // not one byte of the original changed
    const original = await open(x)
    expect(sortedKeys(await (await original.table('silver.trades')).scan(), KEY)).toEqual(rows)
    expect(await (await original.table('silver.trades')).history()).toHaveLength(3)
  })

  it('mv X Z: Z opens and reads through the prefix mapping, and after relocate() takes every operation', async () => {
    const x = join(dir, 'x')
    const z = join(dir, 'z')
    const { rows, firstSnapshot } = await makeLake(x)
    renameSync(x, z)
    const moved = await open(z)
    const t = await moved.table('silver.trades')
    expect(sortedKeys(await t.scan(), KEY)).toEqual(rows)
    expect(await t.scan({ snapshot: firstSnapshot })).toHaveLength(40)
    expect((await t.changes(firstSnapshot)).rows).toHaveLength(80)
    expect(await moved.query('silver.trades').where({ symbol: 'BTC-USDT' }).rows()).toHaveLength(60)
    await expectAllRefused(t)
    await moved.relocate()
    expect(sortedKeys(await t.scan(), KEY)).toEqual(rows)
    expect((await runEveryMaintenance(moved)).length).toBeGreaterThan(0)
    expect((await t.location()).moved).toBe(false)
  })
})
