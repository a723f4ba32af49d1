import { readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { makeTrades, useTempLake } from './helpers.js'

// 2^62 + 5: far above 2^53, where JSON.parse and Number() round (to …424), as Spark and pyiceberg ids are.
const BIG = 4611686018427387909n

/** Rewrites a snapshot id in the newest metadata file as another engine that drew a 63-bit id would have. */
function giveSnapshotBigId(metadataFile: string, id: bigint): void {
  const text = readFileSync(metadataFile, 'utf8')
  // Only JSON number tokens: the id also appears inside the manifest-list file name, which stays.
  writeFileSync(metadataFile, text.replace(new RegExp(`(?<=[:\\[,]\\s*)${id}(?=\\s*[,}\\]])`, 'g'), String(BIG)))
}

describe('snapshot ids are exact 64-bit integers (issue #10)', () => {
  const fx = useTempLake()

  it('reads, time-travels to and writes back a 63-bit id without rounding it', async () => {
    const t = await fx.lake.table('silver.trades')
    const first = await t.append(makeTrades(10))
    const { file } = await t.current()
    giveSnapshotBigId(file, first.snapshotId as bigint)
    const [h] = await t.history()
    expect(h?.snapshotId).toBe(BIG)
    expect(await t.currentSnapshotId()).toBe(BIG)
    expect(await t.scan({ snapshot: BIG })).toHaveLength(10)
    expect(await t.scan({ snapshot: String(BIG) })).toHaveLength(10)
    // The next commit names it as its parent, digit for digit, in the JSON it writes.
    await t.append(makeTrades(5, { startId: 100 }))
    const next = await t.current()
    expect(readFileSync(next.file, 'utf8')).toContain(`"parent-snapshot-id":${BIG}`)
    expect((await t.history()).map((s) => s.parentId)).toEqual([null, BIG])
    expect(await t.scan({ snapshot: BIG })).toHaveLength(10)
  })

  it('history() and commit results print ids in JSON as decimal strings, as lineage does', async () => {
    const t = await fx.lake.table('silver.trades')
    const commit = await t.append(makeTrades(10))
    const id = commit.snapshotId as bigint
    expect(JSON.parse(JSON.stringify(commit))).toMatchObject({ snapshotId: String(id), rows: 10 })
    const history = JSON.parse(JSON.stringify(await t.history()))
    expect(history).toMatchObject([{ snapshotId: String(id), parentId: null, operation: 'append', current: true }])
    const r = await fx.lake.query('silver.trades').execute()
    expect(r.lineage.tables[0]?.snapshotId).toBe(history[0].snapshotId)
    // …and that string goes straight back into time travel.
    expect(await t.scan({ snapshot: history[0].snapshotId })).toHaveLength(10)
  })

  it('scan() takes { snapshot } / { at } (and the older { snapshotId } / { timestamp }), never a plain number', async () => {
    const t = await fx.lake.table('silver.trades')
    const { snapshotId } = await t.append(makeTrades(10))
    const [h] = await t.history()
    const at = h?.timestamp as number
    expect(await t.scan({ at })).toHaveLength(10)
    expect(await t.scan({ at: new Date(at / 1000) })).toHaveLength(10)
    expect(await t.scan(snapshotId as bigint)).toHaveLength(10)
    expect(await t.scan({ snapshotId: snapshotId as bigint })).toHaveLength(10)
    expect(await t.scan({ timestamp: at })).toHaveLength(10)
    await expect(t.scan(Number(snapshotId) as never)).rejects.toMatchObject({ code: 'VALIDATION', message: /BigInt/ })
    await expect(t.scan(String(snapshotId))).rejects.toMatchObject({ code: 'VALIDATION', message: /looks like a snapshot id/ })
  })
})
