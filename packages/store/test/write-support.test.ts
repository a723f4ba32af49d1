import { join } from 'node:path'
import { type Lake, type LakeTable, openLake } from '@k2/store'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fromUri } from '../src/iceberg/file-uri.js'
import { makeTrades, tempDir, treeDigest } from './helpers.js'
import { type EditableMetadata, editMetadata, rewriteAvro } from './metadata-edits.js'

// Another engine (Spark, pyiceberg) may commit to a K2 table and give it features K2 does not
// write. K2 must then refuse to write — a compaction would resurrect deleted rows, an append would
// ignore a sort order or new columns — with UNSUPPORTED, before writing anything.

describe('writing to a K2 table that another engine gave features K2 does not write', () => {
  let dir: string
  let cleanup: () => void
  let lake: Lake
  let t: LakeTable<'silver.trades'>
  let table: string

  beforeEach(async () => {
    ;({ dir, cleanup } = tempDir())
    lake = await openLake(join(dir, 'lake'))
    t = await lake.table('silver.trades')
    await t.append(makeTrades(10))
    await t.append(makeTrades(10, { startId: 100 }))
    table = join(dir, 'lake', 'silver', 'trades')
  })
  afterEach(async () => {
    await lake.close()
    cleanup()
  })

  /** Every writing operation refuses with UNSUPPORTED naming `feature`; not a byte of the table changes. */
  async function expectRefused(feature: RegExp) {
    const before = treeDigest(table)
    const refused = { code: 'UNSUPPORTED', message: expect.stringMatching(feature) }
    await expect(t.append(makeTrades(1, { startId: 900 }))).rejects.toMatchObject(refused)
    await expect(t.compact()).rejects.toMatchObject(refused)
    await expect(t.applyRetention({ maxAge: '1h' })).rejects.toMatchObject(refused)
    expect(treeDigest(table)).toBe(before)
    expect(await t.scan()).toHaveLength(20) // reads still work
  }

  it('a sort order', async () => {
    await editMetadata(t, (m) => {
      ;(m['sort-orders'] as unknown[]).push({
        'order-id': 1,
        fields: [{ transform: 'identity', 'source-id': 2, direction: 'asc', 'null-order': 'nulls-first' }],
      })
      m['default-sort-order-id'] = 1
    })
    await expectRefused(/sort order 1/)
  })

  it('a partition spec with a transform K2 lacks', async () => {
    await editMetadata(t, (m) => {
      ;(m['partition-specs'] as unknown[]).push({
        'spec-id': 1,
        fields: [{ 'source-id': 2, 'field-id': 1002, name: 'symbol_bucket', transform: 'bucket[16]' }],
      })
      m['default-spec-id'] = 1
      m['last-partition-id'] = 1002
    })
    await expectRefused(/partition transform bucket\[16\] on symbol_bucket/)
  })

  it('an evolved schema', async () => {
    await editMetadata(t, (m) => {
      const [schema] = m.schemas as { fields: unknown[] }[]
      ;(m.schemas as unknown[]).push({
        type: 'struct',
        'schema-id': 1,
        fields: [...(schema?.fields ?? []), { id: 9, name: 'venue_note', required: false, type: 'string' }],
      })
      m['current-schema-id'] = 1
      m['last-column-id'] = 9
    })
    await expectRefused(/schema other than silver.trades/)
  })

  it('delete files', async () => {
    await editMetadata(t, (m: EditableMetadata) => {
      const current = m.snapshots.at(-1) as { 'manifest-list': string }
      const list = join(table, 'metadata', 'with-deletes.avro')
      // A delete manifest beside the data manifests, as a merge-on-read DELETE in Spark leaves one.
      rewriteAvro(fromUri(current['manifest-list']), list, (records) => {
        records.push({ ...(records[0] as Record<string, unknown>), content: 1 })
      })
      current['manifest-list'] = `file://${list}`
    })
    await expectRefused(/delete files/)
  })
})
