import { existsSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { K2Error } from '@k2/core'
import { openLake } from '@k2/store'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTrades, tempDir, treeDigest } from './helpers.js'

/** Expects `p` to reject with a K2Error of `code` whose message says what to do. */
async function expectK2(p: Promise<unknown>, code: string): Promise<K2Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(K2Error.isInstance(err), `expected a K2Error, got ${String(err)}`).toBe(true)
  expect((err as K2Error).code).toBe(code)
  expect((err as K2Error).message.length).toBeGreaterThan(30)
  return err as K2Error
}

describe('bad input and damaged tables', () => {
  let dir: string
  let cleanup: () => void
  let root: string
  const tableDir = () => join(root, 'silver', 'trades')
  const metaDir = () => join(tableDir(), 'metadata')

  beforeEach(async () => {
    ;({ dir, cleanup } = tempDir())
    root = join(dir, 'lake')
    const lake = await openLake(root)
    const t = await lake.table('silver.trades')
    await t.append(makeTrades(100))
    await t.append(makeTrades(100, { startId: 1000 }))
    await lake.close()
  })
  afterEach(() => cleanup())

  it('truncated metadata JSON → CORRUPT_TABLE on open, and a write changes nothing on disk', async () => {
    const v3 = join(metaDir(), 'v3.metadata.json')
    const text = readFileSync(v3, 'utf8')
    writeFileSync(v3, text.slice(0, text.length >> 1))
    const before = treeDigest(root)
    const lake = await openLake(root)
    const err = await expectK2(lake.table('silver.trades'), 'CORRUPT_TABLE')
    expect(err.message).toContain('v3.metadata.json')
    expect(treeDigest(root)).toBe(before)
    await lake.close()
  })

  it('metadata that is JSON but not Iceberg v2 → CORRUPT_TABLE naming the field', async () => {
    const v3 = join(metaDir(), 'v3.metadata.json')
    const m = JSON.parse(readFileSync(v3, 'utf8'))
    delete m['table-uuid']
    writeFileSync(v3, JSON.stringify(m))
    const lake = await openLake(root)
    const err = await expectK2(lake.table('silver.trades'), 'CORRUPT_TABLE')
    expect(err.message).toContain('table-uuid')
    await lake.close()
  })

  it('a missing manifest → CORRUPT_TABLE on read and on append, and the append writes nothing', async () => {
    const manifests = readdirSync(metaDir()).filter((f) => /-m0\.avro$/.test(f))
    unlinkSync(join(metaDir(), manifests[0] as string))
    const before = treeDigest(root)
    const lake = await openLake(root)
    const t = await lake.table('silver.trades')
    await expectK2(t.scan(), 'CORRUPT_TABLE')
    await expectK2(t.append(makeTrades(5, { startId: 5000 })), 'CORRUPT_TABLE')
    expect(treeDigest(root)).toBe(before)
    await lake.close()
  })

  it('a truncated Parquet file → CORRUPT_TABLE on read and on a deduplicating append, table unchanged', async () => {
    const lake = await openLake(root)
    const t = await lake.table('silver.trades')
    const { files } = await t.files()
    for (const f of files) truncateSync(f.path, 100) // (dedup only reads files whose id bounds could match)
    const before = treeDigest(root)
    await expectK2(t.scan(), 'CORRUPT_TABLE')
    await expectK2(t.append(makeTrades(5, { startId: 50 })), 'CORRUPT_TABLE')
    expect(treeDigest(root)).toBe(before)
    await lake.close()
  })

  it('table names that try to leave the lake root are refused before touching the disk', async () => {
    const lake = await openLake(root)
    const before = treeDigest(dir)
    for (const name of ['../etc.passwd', '/etc/passwd', 'silver.trades\0', 'silver/trades', 'silver.trades/../../x', '..', '']) {
      await expectK2(lake.table(name as never), 'VALIDATION')
    }
    await expectK2(lake.table('silver.nope' as never), 'NOT_FOUND')
    await expectK2(openLake('lake\0x'), 'VALIDATION')
    expect(treeDigest(dir)).toBe(before)
    await lake.close()
  })

  it('rows failing the schema → VALIDATION, and the table on disk is unchanged', async () => {
    const lake = await openLake(root)
    const t = await lake.table('silver.trades')
    const before = treeDigest(root)
    const good = makeTrades(3, { startId: 7000 })
    const cases: unknown[] = [
      { ...good[0], price: 'abc' },
      { ...good[0], ts: Number.NaN },
      { ...good[0], ts: 2 ** 60 },
      { ...good[0], id: undefined },
      { ...good[0], symbol: 42 },
      'not a row',
    ]
    for (const bad of cases) await expectK2(t.append([...good, bad] as never), 'VALIDATION')
    expect(treeDigest(root)).toBe(before)
    await lake.close()
  })

  it('a stale or missing version hint still finds the newest version by probing', async () => {
    writeFileSync(join(metaDir(), 'version-hint.text'), '1')
    let lake = await openLake(root)
    expect(await (await lake.table('silver.trades')).scan()).toHaveLength(200)
    await lake.close()
    rmSync(join(metaDir(), 'version-hint.text'))
    lake = await openLake(root)
    const t = await lake.table('silver.trades')
    expect(await t.scan()).toHaveLength(200)
    await t.append(makeTrades(1, { startId: 9999 }))
    expect(readFileSync(join(metaDir(), 'version-hint.text'), 'utf8')).toBe('4')
    expect(existsSync(join(metaDir(), 'v4.metadata.json'))).toBe(true)
    await lake.close()
  })
})
