import { existsSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { K2Error } from '@k2/core'
import { openLake } from '@k2/store'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTrades, tempDir, treeDigest } from './helpers.js'

// The current version is the highest vN.metadata.json in the directory; version-hint.text is only a
// shortcut. A gap in the numbers must not make a reader stop early, nor a writer publish into it.

const codeOf = (e: unknown) => (K2Error.isInstance(e) ? e.code : `not a K2Error: ${String(e)}`)

describe('metadata versions', () => {
  let dir: string
  let cleanup: () => void
  let root: string
  const metaDir = () => join(root, 'silver', 'trades', 'metadata')
  const hint = () => join(metaDir(), 'version-hint.text')
  const versions = () =>
    readdirSync(metaDir())
      .map((f) => /^v(\d+)\.metadata\.json$/.exec(f)?.[1])
      .filter((v) => v !== undefined)
      .map(Number)
      .sort((a, b) => a - b)

  // v1 (create), v2, v3, v4: three appends of 100 rows each
  beforeEach(async () => {
    ;({ dir, cleanup } = tempDir())
    root = join(dir, 'lake')
    const lake = await openLake(root)
    const t = await lake.table('silver.trades')
    for (let i = 0; i < 3; i++) await t.append(makeTrades(100, { startId: 1 + i * 100 }))
    await lake.close()
  })
  afterEach(() => cleanup())

  it('a missing middle version: reads the highest, and an append is published above it and stays', async () => {
    unlinkSync(join(metaDir(), 'v3.metadata.json'))
    writeFileSync(hint(), '2')
    const lake = await openLake(root)
    const t = await lake.table('silver.trades')
    expect(await t.scan()).toHaveLength(300)
    expect((await t.current()).version).toBe(4)
    const r = await t.append(makeTrades(10, { startId: 5000 }))
    expect(r.rows).toBe(10)
    expect(versions()).toEqual([1, 2, 4, 5])
    expect(readFileSync(hint(), 'utf8')).toBe('5')
    await lake.close()
    // a fresh process (no caches) sees the acknowledged rows too
    const again = await openLake(root)
    expect(await (await again.table('silver.trades')).scan()).toHaveLength(310)
    await again.close()
  })

  it('a hint that is stale, garbage, or missing does not matter', async () => {
    for (const text of ['1', '', 'x', '-3', '2\n', '00004', '4.5']) {
      writeFileSync(hint(), text)
      const lake = await openLake(root)
      const t = await lake.table('silver.trades')
      expect((await t.current()).version, `hint ${JSON.stringify(text)}`).toBe(4)
      expect(await t.scan()).toHaveLength(300)
      await lake.close()
    }
    rmSync(hint())
    const lake = await openLake(root)
    expect((await (await lake.table('silver.trades')).current()).version).toBe(4)
    await lake.close()
  })

  it('a hint above every version (the newest versions were deleted) is CORRUPT_TABLE, and nothing is written', async () => {
    unlinkSync(join(metaDir(), 'v4.metadata.json'))
    const before = treeDigest(root)
    const lake = await openLake(root)
    const err = await lake.table('silver.trades').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(codeOf(err)).toBe('CORRUPT_TABLE')
    expect((err as Error).message).toMatch(/version-hint\.text says 4.*v3\.metadata\.json/)
    expect((err as Error).message).toMatch(/restore/i)
    expect(treeDigest(root)).toBe(before)
    await lake.close()
  })

  it('every version deleted but data left behind: CORRUPT_TABLE, not a new empty table over the old files', async () => {
    for (const v of versions()) unlinkSync(join(metaDir(), `v${v}.metadata.json`))
    rmSync(hint())
    const before = treeDigest(root)
    const lake = await openLake(root)
    const err = await lake.table('silver.trades').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(codeOf(err)).toBe('CORRUPT_TABLE')
    expect((err as Error).message).toMatch(/no vN\.metadata\.json/)
    expect(treeDigest(root)).toBe(before)
    await lake.close()
  })

  it('a version file that cannot be read (a directory) is CORRUPT_TABLE, not NOT_FOUND', async () => {
    rmSync(join(metaDir(), 'v4.metadata.json'))
    writeFileSync(hint(), '3')
    const lake = await openLake(root)
    const t = await lake.table('silver.trades')
    expect(await t.scan()).toHaveLength(200)
    await lake.close()
    // now a directory where v5 would go: the highest version is unreadable
    rmSync(hint())
    const { mkdirSync } = await import('node:fs')
    mkdirSync(join(metaDir(), 'v5.metadata.json'))
    const again = await openLake(root)
    await expect(again.table('silver.trades')).rejects.toSatisfy((e: unknown) => codeOf(e) === 'CORRUPT_TABLE')
    await again.close()
    expect(existsSync(join(metaDir(), 'v6.metadata.json'))).toBe(false)
  })

  it('a version written by another process while this one had the table open is seen at once', async () => {
    const lake = await openLake(root)
    const t = await lake.table('silver.trades')
    expect(await t.scan()).toHaveLength(300)
    const other = await openLake(root)
    await (await other.table('silver.trades')).append(makeTrades(5, { startId: 9000 }))
    await other.close()
    expect(await t.scan()).toHaveLength(305)
    // and after a gap made behind its back
    unlinkSync(join(metaDir(), 'v5.metadata.json'))
    writeFileSync(join(metaDir(), 'v7.metadata.json'), readFileSync(join(metaDir(), 'v4.metadata.json')))
    writeFileSync(hint(), '4')
    expect((await t.current()).version).toBe(7)
    await lake.close()
  })
})
