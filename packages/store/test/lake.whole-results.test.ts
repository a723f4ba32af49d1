import { readFileSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { K2Error, MICROS_PER_DAY } from '@k2/core'
import { type Lake, openLake } from '@k2/store'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTrades, T0, tempDir } from './helpers.js'

// Whole results or an error, through the lake: a query cut by its timeout throws, and a data file
// that cannot be read — missing, truncated, or with one flipped bit — is CORRUPT_TABLE naming the
// file and the snapshot from every read path, never wrong rows.

const codeOf = (e: unknown) => (K2Error.isInstance(e) ? e.code : `not a K2Error: ${String(e)}`)
const failure = async (run: () => Promise<unknown>) => {
  try {
    await run()
  } catch (e) {
    return e as Error
  }
  return undefined
}

describe('case 4: the timeout through openLake', () => {
  it('lake.sql … .rows() cut at timeoutMs throws QUERY_TIMEOUT, as does a batches() stream', async () => {
    const { dir, cleanup } = tempDir()
    const lake = await openLake(dir, { query: { timeoutMs: 100 } })
    try {
      expect(codeOf(await failure(() => lake.sql`select x from range(900000) t(x)`.rows()))).toBe('QUERY_TIMEOUT')
      const err = await failure(async () => {
        for await (const _ of lake.sql`select x from range(900000) t(x)`.batches()) await new Promise((r) => setTimeout(r, 20))
      })
      expect(codeOf(err)).toBe('QUERY_TIMEOUT')
    } finally {
      await lake.close()
      cleanup()
    }
  })
})

describe('a data file that cannot be read', () => {
  let dir: string
  let cleanup: () => void
  let lake: Lake
  let victim: string
  let snapshot: bigint

  beforeEach(async () => {
    ;({ dir, cleanup } = tempDir())
    lake = await openLake(join(dir, 'lake'), { clock: () => T0 + 3 * MICROS_PER_DAY })
    const t = await lake.table('silver.trades')
    await t.append(makeTrades(400, { startId: 1 })) // day 0
    await t.append(makeTrades(400, { startId: 1000, start: T0 + MICROS_PER_DAY })) // day 1
    await t.append(makeTrades(100, { startId: 5000, start: T0 + 500_000_000 })) // day 0 again: two files to compact
    const { files, snapshotId } = await t.files()
    victim = files.find((f) => f.partition.ts_day === T0 / MICROS_PER_DAY && f.recordCount === 400)?.path as string
    snapshot = snapshotId as bigint
  })
  afterEach(async () => {
    await lake.close()
    cleanup()
  })

  const damage: [string, (path: string) => void][] = [
    ['deleted', (p) => unlinkSync(p)],
    ['truncated', (p) => truncateSync(p, 200)],
    [
      'one flipped bit',
      (p) => {
        const b = readFileSync(p)
        const at = b.length >> 1
        b[at] = (b[at] as number) ^ 0x10 // in the data pages: DuckDB alone would read a wrong value
        writeFileSync(p, b)
      },
    ],
  ]

  for (const [name, hurt] of damage) {
    it(`${name}: CORRUPT_TABLE naming the file and the snapshot from scan, query, sql, batches, dedup, compact and retention`, async () => {
      hurt(victim)
      const t = await lake.table('silver.trades')
      const reads: [string, () => Promise<unknown>][] = [
        ['scan', () => t.scan()],
        ['query', () => lake.query('silver.trades').rows()],
        ['sql', () => lake.sql`select sum(price) as p from ${lake.ref('silver.trades')}`.rows()],
        [
          'batches',
          async () => {
            for await (const _ of lake.query('silver.trades').batches()) {
              // drain
            }
          },
        ],
        ['append (dedup reads the file)', () => t.append(makeTrades(5, { startId: 3 }))],
        ['compact', () => t.compact({ smallFileBytes: 2 ** 40 })],
        // the cut-off falls inside the file, so it must be read to be rewritten
        ['applyRetention', () => t.applyRetention({ maxAge: 3 * MICROS_PER_DAY - 200_000_000 })],
      ]
      for (const [what, read] of reads) {
        const err = await failure(read)
        expect(codeOf(err), `${name}: ${what}`).toBe('CORRUPT_TABLE')
        expect(err?.message, `${name}: ${what}`).toContain(victim)
        expect(err?.message, `${name}: ${what}`).toContain(`snapshot ${snapshot}`)
        expect(err?.message, `${name}: ${what}`).toMatch(/restore it from a backup/)
      }
      // reads that do not touch the file are whole: changes since the commit that wrote it, another day
      const [first] = await t.history()
      expect((await t.changes(first?.snapshotId as bigint)).rows).toHaveLength(500)
      const other = await lake
        .query('silver.trades')
        .where({ exchange: 'binance' })
        .between('ts', T0 + MICROS_PER_DAY, T0 + 2 * MICROS_PER_DAY)
        .rows()
      expect(other).toHaveLength(400)
    })
  }
})
