import { spawn, spawnSync } from 'node:child_process'
import { createWriteStream, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { run } from '@k2/cli'
import { importFiles, openLake } from '@k2/store'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

/** Binance spot trade lines: no header, 7 fields, ms times. */
function tradeLines(n: number, first = 1): string[] {
  const t0 = Date.UTC(2024, 0, 1)
  return Array.from(
    { length: n },
    (_, i) => `${first + i},${(42000 + i / 100).toFixed(2)},0.01000,420.00,${t0 + i},${i % 2 === 0 ? 'True' : 'False'},True`,
  )
}

describe('k2 import', () => {
  let dir = ''
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'k2-cli-import-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))
  const capture = () => {
    const out: string[] = []
    const err: string[] = []
    return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } }
  }

  it('imports a .csv.gz, prints a --json summary and progress, and re-imports nothing', async () => {
    const f = join(dir, 'BTCUSDT-trades-2024-01-01.csv.gz')
    writeFileSync(f, gzipSync(`${tradeLines(5000).join('\n')}\n`))
    const lake = join(dir, 'lake')
    const c = capture()
    expect(await run(['import', f, '--lake', lake, '--json'], c.io)).toBe(0)
    const s = JSON.parse(c.out.join('\n'))
    expect(s).toMatchObject({ rowsRead: 5000, rowsWritten: 5000, duplicates: 0, badRows: 0 })
    expect(s.files[0]).toMatchObject({ format: 'binance-trades', table: 'silver.trades' })
    expect(typeof s.commits[0].snapshotId).toBe('string')
    expect(c.err.join('\n')).toContain('rows read')
    const again = capture()
    expect(await run(['import', f, '--lake', lake], again.io)).toBe(0)
    expect(again.out[0]).toMatch(/5,000 rows read, 0 written, 5,000 duplicates, 0 bad in [\d.]+ s \([\d.]+k? rows\/s\)/)
    const l = await openLake(lake)
    const rows = await (await l.table('silver.trades')).scan()
    await l.close()
    expect(rows).toHaveLength(5000)
    expect(new Set(rows.map((r) => `${r.exchange} ${r.symbol}`))).toEqual(new Set(['binance BTC-USDT']))
  })

  it('a malformed row: --on-bad-row stop exits 3 naming file:line; dlq imports the rest', async () => {
    const f = join(dir, 'BTCUSDT-trades-2024-01-01.csv')
    const lines = tradeLines(20)
    lines[9] = '10,oops,0.01,1,1704067200009,True,True'
    writeFileSync(f, `${lines.join('\n')}\n`)
    const lake = join(dir, 'lake')
    const c = capture()
    expect(await run(['import', f, '--lake', lake], c.io)).toBe(3) // the command printed file:line itself
    expect(c.err.join('\n')).toContain(`${f}:10:`)
    const d = capture()
    expect(await run(['import', f, '--lake', lake, '--on-bad-row', 'dlq'], d.io)).toBe(0)
    expect(d.out[0]).toContain('19 written')
    expect(d.out[0]).toContain('1 bad (1 to bronze.dlq)')
    expect(d.err.join('\n')).toContain(`bad row ${f}:10:`)
  })

  it('a damaged archive exits 3 (a data problem) saying which file and what to do', async () => {
    const f = join(dir, 'BTCUSDT-trades-2024-01-01.csv.gz')
    const whole = gzipSync(`${tradeLines(2000).join('\n')}\n`)
    writeFileSync(f, whole.subarray(0, whole.length - 50))
    const c = capture()
    expect(await run(['import', f, '--lake', join(dir, 'lake')], c.io)).toBe(3)
    expect(c.err.join('\n')).toMatch(new RegExp(`${f.replaceAll('.', '\\.')} is damaged: .*download it again`))
  })

  it('validates --venue, --symbol and --format, listing what fits', async () => {
    const f = join(dir, 'x.csv')
    writeFileSync(f, `${tradeLines(2).join('\n')}\n`)
    await expect(run(['import', f, '--venue', 'binance_futures'], () => {})).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('binance-futures'),
    })
    await expect(run(['import', f, '--symbol', 'btcusdt'], () => {})).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(run(['import', f, '--format', 'parquet'], () => {})).rejects.toMatchObject({ code: 'VALIDATION' })
  })

  it('--help has examples', async () => {
    const c = capture()
    expect(await run(['import', '--help'], c.io)).toBe(0)
    expect(c.out.join('\n')).toContain('$ k2 import BTCUSDT-trades-2024-01-01.zip')
  })

  it('the built executable imports and prints its summary', () => {
    const f = join(dir, 'ETHUSDT-trades-2024-01-01.csv')
    writeFileSync(f, `${tradeLines(100).join('\n')}\n`)
    const r = spawnSync(process.execPath, [bin, 'import', f, '--lake', join(dir, 'lake')], { encoding: 'utf8' })
    expect(r.stderr).not.toContain('k2:')
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('100 rows read, 100 written')
    expect(r.stdout).toContain('silver.trades: 100 rows in snapshot')
  })

  it('killed mid-import (SIGKILL): nothing is committed, vacuum finds the files it wrote, and the next import writes every row once', async () => {
    const f = join(dir, 'BTCUSDT-trades-2024-01-01.csv')
    const n = 1_500_000
    const t0 = Date.UTC(2024, 0, 1)
    const out = createWriteStream(f)
    for (let i = 0; i < n; i += 50_000) {
      const block = Array.from(
        { length: Math.min(50_000, n - i) },
        (_, k) => `${i + k + 1},42000.00,0.01000,420.00,${t0 + Math.floor((i + k) / 20)},True,True`,
      )
      if (!out.write(`${block.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()))
    }
    await new Promise<void>((r) => out.end(() => r()))
    const lake = join(dir, 'lake')
    const child = spawn(process.execPath, [bin, 'import', f, '--lake', lake], { stdio: 'ignore' })
    const data = join(lake, 'silver', 'trades', 'data')
    const wrote = () => existsSync(data) && readdirSync(data, { recursive: true }).some((p) => String(p).endsWith('.parquet'))
    for (let i = 0; i < 600 && !wrote() && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 10))
    expect(wrote(), 'the import wrote a data file before it was killed').toBe(true)
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))

    const l = await openLake(lake)
    try {
      const t = await l.table('silver.trades')
      expect(await t.history()).toHaveLength(0)
      const v = capture()
      expect(await run(['vacuum', '--lake', lake, '--older-than', '0s', '--dry-run', '--json'], v.io)).toBe(0)
      expect(v.out.join('\n')).toContain('.parquet')
      const r = await importFiles(l, [f])
      expect(r).toMatchObject({ rowsRead: n, rowsWritten: n, duplicates: 0 })
      expect((await l.sql`select count(*) as n, count(distinct id) as ids from ${l.ref('silver.trades')}`.rows())[0]).toEqual({ n, ids: n })
    } finally {
      await l.close()
    }
  }, 120_000)
})
