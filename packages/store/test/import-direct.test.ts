import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { DuckDBInstance } from '@duckdb/node-api'
import { importFiles, type Lake, openLake } from '@k2/store'
import { describe, expect, it } from 'vitest'
import { decodeValue } from '../src/iceberg/single-value.js'
import { coreOf } from '../src/table-core.js'
import { useTempLake } from './helpers.js'
import { binanceTradeLines, writeZip } from './import-support.js'

// The importer writes an in-order chunk of one instrument straight from CSV to one Parquet file
// (the direct path) and stages every other chunk in DuckDB first. These tests check that the two
// paths give the same lake, that the direct path's manifest statistics are the files' own, and
// that each reason to leave the direct path (a bad row, disorder, a repeated id, two days, keys
// already in the lake) leads to the staged path's result.

const CHUNK = 50_000 // bytes: about 900 lines of binanceTradeLines

/** The rows of silver.trades, by id. */
async function tradesById(lake: Lake) {
  return (await (await lake.table('silver.trades')).scan()).sort((a, b) => Number(a.id) - Number(b.id))
}

/**
 * Checks every live data file of silver.trades against its manifest record, computed a second
 * way: DuckDB's aggregates over the file's rows (count, nulls, min, max as the lake encodes them),
 * and that its rows are in the table's sort order (symbol, ts). Returns the number of files.
 */
async function expectManifestsMatchFiles(lake: Lake): Promise<number> {
  const core = coreOf(await lake.table('silver.trades'))
  const files = await core.liveFiles()
  const db = await DuckDBInstance.create(':memory:')
  const conn = await db.connect()
  try {
    for (const f of files) {
      const src = `read_parquet('${f.path}', file_row_number = true)`
      const agg = core.spec.columns.map((c) => {
        const v = c.type === 'timestamptz' ? `epoch_us("${c.name}")` : `"${c.name}"`
        return `count("${c.name}"), min(${v}), max(${v})`
      })
      const [row] = (await conn.runAndReadAll(`SELECT count(*), ${agg.join(', ')} FROM ${src}`)).getRows()
      const n = Number(row?.[0])
      expect(Number(f.file.record_count)).toBe(n)
      core.spec.columns.forEach((c, i) => {
        const count = Number(row?.[1 + 3 * i])
        expect(f.file.null_value_counts?.find((k) => k.key === c.id)?.value, `${c.name} nulls`).toBe(n - count)
        if (c.type === 'boolean') return
        const lo = f.file.lower_bounds?.find((b) => b.key === c.id)
        const hi = f.file.upper_bounds?.find((b) => b.key === c.id)
        const want = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v)
        expect(lo && decodeValue(c.type, lo.value), `${c.name} lower bound`).toEqual(want(row?.[2 + 3 * i]))
        expect(hi && decodeValue(c.type, hi.value), `${c.name} upper bound`).toEqual(want(row?.[3 + 3 * i]))
      })
      const [order] = (
        await conn.runAndReadAll(
          `SELECT count(*) FILTER (WHERE symbol < p_symbol OR (symbol = p_symbol AND ts < p_ts)) FROM (SELECT symbol, ts, lag(symbol) OVER w AS p_symbol, lag(ts) OVER w AS p_ts FROM ${src} WINDOW w AS (ORDER BY file_row_number))`,
        )
      ).getRows()
      expect(Number(order?.[0]), `${f.path} is in sort order`).toBe(0)
    }
  } finally {
    conn.closeSync()
    db.closeSync()
  }
  return files.length
}

describe('the direct path of an import', () => {
  const fx = useTempLake()

  it('writes in-order chunks straight to Parquet, each file with the statistics of its own rows', async () => {
    const csv = join(fx.dir, 'BTCUSDT-trades-2024-01-01.csv')
    writeFileSync(csv, `${[...binanceTradeLines(9000)].join('\n')}\n`)
    const r = await importFiles(fx.lake, [csv], { chunkBytes: CHUNK })
    expect(r).toMatchObject({ rowsRead: 9000, rowsWritten: 9000, duplicates: 0, badRows: 0 })
    const chunks = r.files[0]?.chunks
    expect(chunks?.staged).toBe(0)
    expect(chunks?.direct).toBeGreaterThanOrEqual(9)
    expect(await expectManifestsMatchFiles(fx.lake)).toBe(chunks?.direct)
    const rows = await tradesById(fx.lake)
    const lines = [...binanceTradeLines(9000)]
    expect(rows.map((x) => `${x.id},${x.price.toFixed(2)},${x.qty.toFixed(5)},${x.ts / 1000},${x.side}`)).toEqual(
      lines.map((l) => {
        const [id, price, qty, , t, maker] = l.split(',')
        return `${id},${price},${qty},${t},${maker === 'True' ? 'sell' : 'buy'}`
      }),
    )
  })

  it('gives the same lake as the staged path (which an out-of-order first chunk takes for the whole file)', async () => {
    const lines = [...binanceTradeLines(9000)]
    const direct = join(fx.dir, 'BTCUSDT-trades-2024-01-01.csv')
    writeFileSync(direct, `${lines.join('\n')}\n`)
    const a = await importFiles(fx.lake, [direct], { chunkBytes: CHUNK })
    const viaDirect = await tradesById(fx.lake)

    const swapped = [lines[1], lines[0], ...lines.slice(2)] as string[]
    const staged = join(fx.dir, 'other', 'BTCUSDT-trades-2024-01-01.csv')
    mkdirSync(join(fx.dir, 'other'))
    writeFileSync(staged, `${swapped.join('\n')}\n`)
    const other = await openLake(join(fx.dir, 'lake2'))
    try {
      const b = await importFiles(other, [staged], { chunkBytes: CHUNK })
      expect(a.files[0]?.chunks).toMatchObject({ staged: 0 })
      expect(b.files[0]?.chunks).toMatchObject({ direct: 0 })
      expect(b.rowsWritten).toBe(a.rowsWritten)
      expect(await tradesById(other)).toEqual(viaDirect)
      expect(await expectManifestsMatchFiles(other)).toBeGreaterThan(1)
    } finally {
      await other.close()
    }
  })

  it('takes the staged path for a chunk with a bad row (dlq), and the direct path again after it', async () => {
    const lines = [...binanceTradeLines(6000)]
    lines[3000] = lines[3000]?.replace(/^(\d+),[^,]+,/, '$1,-5,') as string // a negative price, in a middle chunk
    const csv = join(fx.dir, 'BTCUSDT-trades-2024-01-01.csv')
    writeFileSync(csv, `${lines.join('\n')}\n`)
    const r = await importFiles(fx.lake, [csv], { chunkBytes: CHUNK, onBadRow: 'dlq' })
    expect(r).toMatchObject({ rowsRead: 6000, rowsWritten: 5999, badRows: 1, dlqRows: 1 })
    expect(r.badRowSamples[0]).toMatchObject({ line: 3001, reason: 'the price is not a positive number' })
    expect(r.files[0]?.chunks.staged).toBe(1)
    expect(r.files[0]?.chunks.direct).toBeGreaterThanOrEqual(5)
    expect((await tradesById(fx.lake)).map((x) => x.id)).not.toContain('3001')
    await expectManifestsMatchFiles(fx.lake)
    // With onBadRow 'stop', the same file is refused naming the line, and nothing is committed.
    const again = join(fx.dir, 'ETHUSDT-trades-2024-01-01.csv')
    writeFileSync(again, `${lines.join('\n')}\n`)
    await expect(importFiles(fx.lake, [again], { chunkBytes: CHUNK })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('ETHUSDT-trades-2024-01-01.csv:3001: the price is not a positive number'),
    })
    expect((await tradesById(fx.lake)).filter((x) => x.symbol === 'ETH-USDT')).toHaveLength(0)
  })

  it('a repeated id inside a chunk: staged, and the repeat is dropped', async () => {
    const lines = [...binanceTradeLines(3000)]
    lines.splice(1500, 0, lines[1499] as string) // the same trade twice, next to each other
    const csv = join(fx.dir, 'BTCUSDT-trades-2024-01-01.csv')
    writeFileSync(csv, `${lines.join('\n')}\n`)
    const r = await importFiles(fx.lake, [csv], { chunkBytes: CHUNK })
    expect(r).toMatchObject({ rowsRead: 3001, rowsWritten: 3000, duplicates: 1 })
    expect(r.files[0]?.chunks.staged).toBeGreaterThanOrEqual(1)
    expect(await tradesById(fx.lake)).toHaveLength(3000)
    await expectManifestsMatchFiles(fx.lake)
  })

  it('a chunk across midnight: staged into one file per day', async () => {
    const t0Ms = Date.UTC(2024, 0, 1, 23, 59, 59, 0) // 1000 trades before midnight, 2000 after
    const csv = join(fx.dir, 'BTCUSDT-trades-2024-01-01.csv')
    writeFileSync(csv, `${[...binanceTradeLines(3000, { t0Ms })].join('\n')}\n`)
    const r = await importFiles(fx.lake, [csv], { chunkBytes: 1 << 20 })
    expect(r.files[0]?.chunks).toEqual({ direct: 0, staged: 1 })
    const files = await coreOf(await fx.lake.table('silver.trades')).liveFiles()
    expect(files.map((f) => f.file.partition.ts_day).sort()).toEqual([19723, 19724])
    expect(files.map((f) => Number(f.file.record_count)).sort()).toEqual([1000, 2000])
    await expectManifestsMatchFiles(fx.lake)
  })

  it('keys that could already be in the lake: staged, deduplicated, and nothing is added twice', async () => {
    const csv = join(fx.dir, 'BTCUSDT-trades-2024-01-01.csv')
    writeFileSync(csv, `${[...binanceTradeLines(4000)].join('\n')}\n`)
    await importFiles(fx.lake, [csv], { chunkBytes: CHUNK })
    const more = join(fx.dir, 'more', 'BTCUSDT-trades-2024-01-01.csv')
    mkdirSync(join(fx.dir, 'more'))
    writeFileSync(more, `${[...binanceTradeLines(6000)].join('\n')}\n`) // the same 4000 trades, and 2000 more
    const r = await importFiles(fx.lake, [more], { chunkBytes: CHUNK })
    expect(r).toMatchObject({ rowsRead: 6000, rowsWritten: 2000, duplicates: 4000 })
    expect(r.files[0]?.chunks.direct).toBe(0)
    expect((await tradesById(fx.lake)).map((x) => Number(x.id))).toEqual(Array.from({ length: 6000 }, (_, i) => i + 1))
  })
})

describe('damaged archives', () => {
  const fx = useTempLake()

  async function zipOf(n: number): Promise<string> {
    const zip = join(fx.dir, 'BTCUSDT-trades-2024-01-01.zip')
    await writeZip(zip, 'BTCUSDT-trades-2024-01-01.csv', binanceTradeLines(n))
    return zip
  }

  it('a zip entry whose CRC-32 is not its content is refused, naming the entry, and nothing is committed', async () => {
    const zip = await zipOf(5000)
    const bytes = readFileSync(zip)
    const central = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) // the entry's central directory header
    bytes.writeUInt32LE((bytes.readUInt32LE(central + 16) ^ 1) >>> 0, central + 16)
    writeFileSync(zip, bytes)
    const err = await importFiles(fx.lake, [zip]).catch((e) => e)
    expect(err).toMatchObject({ code: 'VALIDATION', details: { file: `${zip}:BTCUSDT-trades-2024-01-01.csv` } })
    expect(err.message).toMatch(/is damaged: it inflates to \d+ bytes with CRC-32 [0-9a-f]+, the archive says/)
    expect(await (await fx.lake.table('silver.trades')).history()).toHaveLength(0)
  })

  it('a zip whose deflated bytes were changed is refused as damaged', async () => {
    const zip = await zipOf(5000)
    const bytes = readFileSync(zip)
    for (let i = 2000; i < 2400; i++) bytes[i] = (bytes[i] as number) ^ 0x5a
    writeFileSync(zip, bytes)
    const err = await importFiles(fx.lake, [zip]).catch((e) => e)
    expect(err).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('is damaged') })
    expect(await (await fx.lake.table('silver.trades')).history()).toHaveLength(0)
  })

  it('a truncated .gz is refused as damaged', async () => {
    const gz = join(fx.dir, 'BTCUSDT-trades-2024-01-01.csv.gz')
    const whole = gzipSync(`${[...binanceTradeLines(5000)].join('\n')}\n`)
    writeFileSync(gz, whole.subarray(0, whole.length - 100))
    const err = await importFiles(fx.lake, [gz]).catch((e) => e)
    expect(err).toMatchObject({ code: 'VALIDATION', details: { file: gz }, message: expect.stringContaining('is damaged') })
    expect(await (await fx.lake.table('silver.trades')).history()).toHaveLength(0)
  })
})
