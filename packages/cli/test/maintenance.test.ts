import { cpSync, existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openLake } from '@k2/store'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { wouldExpire } from '../src/commands/expire.js'
import { fixtureTrades, makeLake, runK2, T0 } from './lake-fixture.js'

describe('lake maintenance commands', () => {
  let fx: Awaited<ReturnType<typeof makeLake>>
  beforeEach(async () => {
    fx = await makeLake()
    // Four more small commits: five snapshots, five small files in one partition.
    const lake = await openLake(fx.dir)
    try {
      const t = await lake.table('silver.trades')
      for (let i = 1; i <= 4; i++) await t.append(fixtureTrades(10, { start: T0 + i * 3_600_000_000, firstId: 10_000 * i }))
    } finally {
      await lake.close()
    }
  }, 60_000)
  afterEach(() => fx.cleanup())

  it('k2 snapshots lists every snapshot; --json has decimal-string ids', async () => {
    const r = await runK2(['snapshots', 'silver.trades', '--lake', fx.dir])
    expect(r.out[0]).toBe(
      'snapshot_id,committed,operation,added_rows,deleted_rows,added_files,deleted_files,total_rows,total_files,current',
    )
    expect(r.out).toHaveLength(6)
    expect(r.out[1]).toMatch(/^\d+,\d{4}-\d\d-\d\dT[\d:.]+Z,append,1800,0,/)
    expect(r.out[5]).toMatch(/,1920,\d+,\*$/)
    const json = JSON.parse((await runK2(['snapshots', 'silver.trades', '--lake', fx.dir, '--json'])).stdout)
    expect(json).toHaveLength(5)
    expect(typeof json[0].snapshotId).toBe('string')
    const tty = await runK2(['snapshots', 'silver.trades', '--lake', fx.dir], { stdoutIsTTY: true, columns: 200 })
    expect(tty.out[0]).toMatch(/^┌/)
  })

  it('k2 expire --dry-run names exactly the snapshots a real run expires', async () => {
    const lake = await openLake(fx.dir)
    const history = await (await lake.table('silver.trades')).history()
    await lake.close()
    const dry = await runK2([
      'expire',
      'silver.trades',
      '--lake',
      fx.dir,
      '--older-than',
      '0s',
      '--retain-last',
      '2',
      '--dry-run',
      '--json',
    ])
    const planned = JSON.parse(dry.stdout)[0]
    expect(planned.snapshots).toEqual(history.slice(0, 3).map((s) => String(s.snapshotId)))
    expect(wouldExpire(history, Date.now() * 1000, '0s', 2).map((s) => String(s.snapshotId))).toEqual(planned.snapshots)
    expect(JSON.parse((await runK2(['snapshots', 'silver.trades', '--lake', fx.dir, '--json'])).stdout)).toHaveLength(5) // unchanged

    const real = await runK2(['expire', 'silver.trades', '--lake', fx.dir, '--older-than', '0s', '--retain-last', '2'])
    expect(real.out).toEqual([expect.stringMatching(/^silver\.trades: expired 3 snapshot\(s\), deleted \d+ file\(s\)$/)])
    const after = JSON.parse((await runK2(['snapshots', 'silver.trades', '--lake', fx.dir, '--json'])).stdout)
    expect(after.map((s: { snapshotId: string }) => s.snapshotId)).toEqual(history.slice(3).map((s) => String(s.snapshotId)))
    expect((await runK2(['expire', '--lake', fx.dir])).code).toBe(2) // neither a table nor --all
    expect((await runK2(['expire', 'silver.trades', '--lake', fx.dir, '--older-than', 'soon'])).code).toBe(2)
  })

  it('k2 compact rewrites the small files with the same rows, logging progress off a terminal', async () => {
    const count = async () =>
      (
        await runK2([
          'query',
          '--lake',
          fx.dir,
          '--format',
          'csv',
          '--sql',
          'select count(*) as n, sum(price::decimal(18, 2)) as s, max(id) as id from {silver.trades}',
        ])
      ).out[1]
    const before = await count()
    const r = await runK2(['compact', 'silver.trades', '--lake', fx.dir, '--json'])
    expect(r.error).toBeUndefined()
    const [res] = JSON.parse(r.stdout)
    expect(res.rewrittenFiles).toBeGreaterThanOrEqual(5)
    expect(res.addedFiles).toBeLessThan(res.rewrittenFiles)
    expect(r.err.at(-1)).toMatch(/^compact: \d+ small files rewritten into \d+ across 1 table/)
    expect(await count()).toBe(before)
    const again = await runK2(['compact', '--all', '--lake', fx.dir])
    expect(again.out).toContain('silver.trades: nothing to compact')
    expect((await runK2(['compact', 'silver.trades', '--lake', fx.dir, '--target-file-size', 'big'])).code).toBe(2)
  })

  it('k2 vacuum --dry-run lists an orphan and keeps it; vacuum deletes it', async () => {
    const dataDir = join(fx.dir, 'silver', 'trades', 'data')
    const orphan = join(dataDir, 'orphan-from-a-crash.parquet')
    writeFileSync(orphan, 'not referenced by any snapshot')
    const dry = await runK2(['vacuum', '--lake', fx.dir, '--older-than', '0s', '--dry-run'])
    expect(dry.out).toContain('silver.trades: would delete 1 orphan file(s)')
    expect(dry.out).toContain(`  ${orphan}`)
    expect(existsSync(orphan)).toBe(true)
    const real = await runK2(['vacuum', '--lake', fx.dir, '--older-than', '0s', '--json'])
    expect(JSON.parse(real.stdout).tables.find((t: { table: string }) => t.table === 'silver.trades').files).toEqual([orphan])
    expect(existsSync(orphan)).toBe(false)
    // Files of the table's snapshots are untouched: the rows still read.
    expect((await runK2(['query', '--lake', fx.dir, '--format', 'csv', '--sql', 'select count(*) as n from {silver.trades}'])).out[1]).toBe(
      '1920',
    )
  })

  it('k2 relocate: a copied lake refuses writes (TABLE_MOVED, exit 3) until relocated, then reads the same rows', async () => {
    const copy = join(fx.root, 'copy')
    cpSync(fx.dir, copy, { recursive: true })
    const rows = async (dir: string) =>
      (
        await runK2([
          'query',
          'silver.trades',
          '--lake',
          dir,
          '--select',
          'exchange,symbol,id,price,ts',
          '--order-by',
          'exchange',
          '--order-by',
          'symbol',
          '--order-by',
          'ts',
        ])
      ).out
    const original = await rows(fx.dir)
    const refused = await runK2(['compact', 'silver.trades', '--lake', copy])
    expect(refused.code).toBe(3)
    expect(String(refused.error)).toContain('relocate')
    expect((refused.error as { code?: string }).code).toBe('TABLE_MOVED')

    const moved = await runK2(['relocate', '--lake', copy, '--json'])
    const tables = JSON.parse(moved.stdout) as { table: string; to: string }[]
    expect(tables.map((t) => t.table).sort()).toEqual(['bronze.coverage', 'silver.trades'])
    expect(tables.every((t) => t.to.includes(copy))).toBe(true)
    expect(await rows(copy)).toEqual(original)
    expect((await runK2(['compact', 'silver.trades', '--lake', copy])).code).toBe(0)
    expect((await runK2(['relocate', '--lake', copy])).out).toEqual(['nothing to relocate: every table already names this folder'])
    expect(readdirSync(join(fx.dir, 'silver', 'trades', 'metadata')).some((f) => f.includes('copy'))).toBe(false)
  })
})
