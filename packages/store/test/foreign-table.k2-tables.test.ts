import { renameSync } from 'node:fs'
import { join } from 'node:path'
import { openLake, openTable } from '@k2/store'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTrades, sortedKeys, tempDir } from './helpers.js'

// openTable() is a reader of any Iceberg v2 table, so it must read K2's own tables exactly as the
// lake does: the same rows, the same snapshots, and a moved lake through its location.

const KEY = ['exchange', 'symbol', 'id', 'price', 'qty', 'side', 'ts', 'recv_ts']

describe('openTable() over tables K2 wrote', () => {
  let dir: string
  let cleanup: () => void
  beforeEach(() => {
    ;({ dir, cleanup } = tempDir())
  })
  afterEach(() => cleanup())

  it('reads the same rows and snapshots as the lake, before and after a move', async () => {
    const lake = await openLake(join(dir, 'lake'))
    const t = await lake.table('silver.trades')
    const first = await t.append(makeTrades(30))
    await t.append(makeTrades(20, { startId: 100, exchange: 'kraken' }))
    const rows = sortedKeys(await t.scan(), KEY)
    const firstRows = sortedKeys(await t.scan({ snapshot: first.snapshotId as bigint }), KEY)
    const history = (await t.history()).map((h) => h.snapshotId)
    await lake.close()

    renameSync(join(dir, 'lake'), join(dir, 'moved'))
    const foreign = await openTable(join(dir, 'moved', 'silver', 'trades'))
    try {
      expect(sortedKeys(await foreign.scan(), KEY)).toEqual(rows)
      expect(sortedKeys(await foreign.scan({ snapshot: first.snapshotId as bigint }), KEY)).toEqual(firstRows)
      expect((await foreign.history()).map((h) => h.snapshotId)).toEqual(history)
      expect((await foreign.versions()).map((v) => v.version)).toEqual([1, 2, 3])
      expect((await foreign.schema()).map((f) => `${f.id}:${f.name}:${f.type}`)).toContain('7:ts:timestamptz')
      // A K2 table is not foreign to K2, but through openTable it is read-only: writes go through the lake.
      await expect(foreign.append([])).rejects.toMatchObject({ code: 'UNSUPPORTED' })
    } finally {
      foreign.close()
    }
  })

  it('says what is wrong with a folder that is not a table', async () => {
    await expect(openTable(dir)).rejects.toMatchObject({ code: 'NOT_FOUND', message: /no metadata\/ folder/ })
    await expect(openTable('')).rejects.toMatchObject({ code: 'VALIDATION' })
  })
})
