import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { MICROS_PER_DAY } from '@k2/core'
import { type Lake, openLake } from '@k2/store'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fromUri } from '../src/iceberg/file-uri.js'
import { makeTrades, T0, tempDir, treeDigest } from './helpers.js'
import { editMetadata, rewriteAvro } from './metadata-edits.js'

// Issue #10, case 2: expireSnapshots() unlinked files outside the lake when a snapshot's manifest
// list, or a manifest's data-file path, pointed there. Nothing K2 deletes may lie outside the table.

describe('expireSnapshots() and removeOrphans() never delete outside the table, whatever metadata says', () => {
  let dir: string
  let cleanup: () => void
  let lake: Lake
  let nowUs: number
  let outside: string

  beforeEach(async () => {
    ;({ dir, cleanup } = tempDir())
    nowUs = T0 + MICROS_PER_DAY
    outside = join(dir, 'elsewhere')
    mkdirSync(outside)
    lake = await openLake(join(dir, 'lake'), { clock: () => nowUs })
  })
  afterEach(async () => {
    await lake.close()
    cleanup()
  })

  async function twoSnapshots() {
    const t = await lake.table('silver.trades')
    await t.append(makeTrades(10))
    await t.append(makeTrades(10, { startId: 100 }))
    return t
  }

  it('refuses, changing nothing, when an expiring snapshot’s manifest list lies outside', async () => {
    const t = await twoSnapshots()
    await editMetadata(t, (m) => {
      const first = m.snapshots[0] as { 'manifest-list': string }
      const victim = join(outside, 'list.avro')
      copyFileSync(fromUri(first['manifest-list']), victim) // a readable manifest list, just elsewhere
      first['manifest-list'] = pathToFileURL(victim).href
    })
    const table = join(dir, 'lake', 'silver', 'trades')
    const before = treeDigest(table)
    nowUs += MICROS_PER_DAY
    await expect(t.expireSnapshots({ olderThan: '0d' })).rejects.toMatchObject({
      code: 'CORRUPT_TABLE',
      message: expect.stringContaining('outside the table directory'),
    })
    expect(existsSync(join(outside, 'list.avro'))).toBe(true)
    expect(treeDigest(table)).toBe(before)
    expect(await t.history()).toHaveLength(2)
  })

  it('refuses when an expiring snapshot’s manifest names a data file outside', async () => {
    const t = await twoSnapshots()
    const victim = join(outside, 'victim.parquet')
    await editMetadata(t, (m) => {
      const first = m.snapshots[0] as { 'manifest-list': string }
      const listPath = fromUri(first['manifest-list'])
      const metaDir = join(dir, 'lake', 'silver', 'trades', 'metadata')
      rewriteAvro(listPath, join(metaDir, 'hostile-list.avro'), ([rec]) => {
        if (!rec) throw new Error('no manifest')
        const manifest = join(metaDir, 'hostile-m0.avro')
        rec.manifest_length = rewriteAvro(fromUri(rec.manifest_path as string), manifest, ([e]) => {
          const df = e?.data_file as Record<string, unknown>
          copyFileSync(fromUri(df.file_path as string), victim)
          df.file_path = pathToFileURL(victim).href
        })
        rec.manifest_path = pathToFileURL(manifest).href
      })
      first['manifest-list'] = pathToFileURL(join(metaDir, 'hostile-list.avro')).href
    })
    nowUs += MICROS_PER_DAY
    await expect(t.expireSnapshots({ olderThan: '0d' })).rejects.toMatchObject({
      code: 'CORRUPT_TABLE',
      message: expect.stringContaining(victim),
    })
    expect(existsSync(victim)).toBe(true)
    expect(await t.history()).toHaveLength(2)
  })

  it('checks at the point of unlinking: a partition folder symlinked elsewhere keeps its files', async () => {
    const t = await lake.table('silver.trades')
    for (let i = 0; i < 3; i++) await t.append(makeTrades(10, { startId: 1 + i * 10 }))
    await t.compact()
    // Move one partition's folder out of the table and leave a symlink to it: every path in the
    // metadata still reads as inside the table, but the files live elsewhere.
    const data = join(dir, 'lake', 'silver', 'trades', 'data')
    const day = readdirSync(data)[0] as string
    renameSync(join(data, day), join(outside, day))
    symlinkSync(join(outside, day), join(data, day))
    const before = treeDigest(outside)
    nowUs += MICROS_PER_DAY
    await expect(t.expireSnapshots({ olderThan: '0d' })).rejects.toMatchObject({ code: 'CORRUPT_TABLE', message: /refusing to delete/ })
    expect(treeDigest(outside)).toBe(before)
    expect(await t.scan()).toHaveLength(30)
  })
})
