import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DuckDBInstance } from '@duckdb/node-api'
import { K2Error, MICROS_PER_DAY, TABLE_SCHEMAS, type TableName } from '@k2/core'
import { createDuckDBEngine } from '@k2/query/duckdb'
import { openLake } from '@k2/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeAvroFile } from '../src/iceberg/avro-file.js'
import { makeTrades, T0, tempDir } from './helpers.js'

// Every kind of lake file is truncated, deleted, garbled or replaced (and directories removed or
// replaced), then the lake is opened, read, written, compacted and cleaned: each step ends in a
// clear K2Error or a correct answer — never a raw error, a wrong row count, or a row acknowledged
// by a write and missing from a later read. Seeded: K2_CORRUPTION_SEED picks other files and bytes,
// K2_CORRUPTION_ROUNDS runs the matrix more than once, K2_CORRUPTION_LOG prints every error met.

const SEED = Number(process.env.K2_CORRUPTION_SEED ?? 20261201)
const ROUNDS = Number(process.env.K2_CORRUPTION_ROUNDS ?? 1)
const NOW = T0 + 3 * MICROS_PER_DAY

function rng(seed: number) {
  let s = seed >>> 0 || 1
  const next = () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 32
  }
  return { int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T }
}
type Rng = ReturnType<typeof rng>

const TABLES = ['silver.trades', 'gold.ohlcv'] as const
type Table = (typeof TABLES)[number]
/** A row as the lake returns it, every column in schema order: reads are compared value for value. */
const rowOf = (table: Table, r: Record<string, unknown>): string =>
  JSON.stringify(TABLE_SCHEMAS[table].map((c) => r[c.name] ?? r[c.name.replace(/_([a-z])/g, (_, x: string) => x.toUpperCase())] ?? null))
const candle = (i: number, start: number, timeframe = '1m') => ({
  exchange: 'binance',
  symbol: i % 2 ? 'BTC-USDT' : 'ETH-USDT',
  timeframe,
  start,
  open: 1 + i,
  high: 2 + i,
  low: 0.5,
  close: 1.5,
  volume: i,
  quote_volume: i,
  trades: i,
  buy_volume: 0,
  vwap: 1,
  complete: true,
  source: 'trades',
})
const candles = (n: number, from: number, start: number, timeframe = '1m') =>
  Array.from({ length: n }, (_, k) => candle(from + k, start + Math.floor((from + k) / 2) * 60_000_000, timeframe))

/** Rows a write adds in case `c`: keys no earlier row has, in old and new partitions. */
const newRows = (table: Table, c: number): Record<string, unknown>[] =>
  table === 'silver.trades'
    ? makeTrades(6, { start: T0 + 7_200_000_000 }).map((t, i) => ({ ...t, id: `n${c}-${i}`, ts: t.ts + (i % 2) * MICROS_PER_DAY }))
    : candles(6, 10_000 + c * 10, T0 + 2 * MICROS_PER_DAY, '5m')

type Target =
  | 'latest metadata'
  | 'older metadata'
  | 'version hint'
  | 'current manifest list'
  | 'older manifest list'
  | 'manifest'
  | 'data file'
  | 'replaced data file'
  | 'partition directory'
  | 'data directory'
  | 'metadata directory'
const FILE_TARGETS: Target[] = [
  'latest metadata',
  'older metadata',
  'version hint',
  'current manifest list',
  'older manifest list',
  'manifest',
  'data file',
  'replaced data file',
]
const DIR_TARGETS: Target[] = ['partition directory', 'data directory', 'metadata directory']
const FILE_DAMAGE = ['truncate', 'delete', 'flip a bit', 'overwrite bytes', 'replace with a directory'] as const
const DIR_DAMAGE = ['delete', 'empty', 'replace with a file'] as const

interface Template {
  root: string
  backup: string
  /** Rows of each table now, and at its first snapshot. */
  keys: Record<Table, { now: string[]; first: string[] }>
}

/** A file or directory of `table` for `target`, picked with `r`. */
function pickTarget(t: Template, table: Table, target: Target, r: Rng): string {
  const dir = join(t.root, ...table.split('.'))
  const meta = join(dir, 'metadata')
  const versions = readdirSync(meta)
    .filter((f) => /^v\d+\.metadata\.json$/.test(f))
    .sort((a, b) => Number(a.slice(1, -14)) - Number(b.slice(1, -14)))
  const latest = JSON.parse(readFileSync(join(meta, versions.at(-1) as string), 'utf8'))
  const snaps = latest.snapshots as { 'snapshot-id': number; 'manifest-list': string }[]
  const current = snaps.find((s) => s['snapshot-id'] === latest['current-snapshot-id']) as (typeof snaps)[number]
  const manifests = (list: string) => decodeAvroFile<{ manifest_path: string }>(readFileSync(fileURLToPath(list))).records
  const files = (s: (typeof snaps)[number]) =>
    manifests(s['manifest-list']).flatMap((m) =>
      decodeAvroFile<{ status: number; data_file: { file_path: string } }>(readFileSync(fileURLToPath(m.manifest_path)))
        .records.filter((e) => e.status !== 2)
        .map((e) => fileURLToPath(e.data_file.file_path)),
    )
  const live = files(current)
  switch (target) {
    case 'latest metadata':
      return join(meta, versions.at(-1) as string)
    case 'older metadata':
      return join(meta, r.pick(versions.slice(0, -1)))
    case 'version hint':
      return join(meta, 'version-hint.text')
    case 'current manifest list':
      return fileURLToPath(current['manifest-list'])
    case 'older manifest list':
      return fileURLToPath(r.pick(snaps.filter((s) => s !== current))['manifest-list'])
    case 'manifest':
      return fileURLToPath(r.pick(manifests(current['manifest-list'])).manifest_path)
    case 'data file':
      return r.pick(live)
    case 'replaced data file':
      return r.pick(snaps.flatMap(files).filter((f) => !live.includes(f)))
    case 'partition directory':
      return join(r.pick(live), '..')
    case 'data directory':
      return join(dir, 'data')
    case 'metadata directory':
      return meta
  }
}

function hurt(path: string, damage: string, r: Rng): string {
  const isDir = statSync(path).isDirectory()
  if (damage === 'delete') rmSync(path, { recursive: true, force: true })
  else if (damage === 'empty') for (const e of readdirSync(path)) rmSync(join(path, e), { recursive: true, force: true })
  else if (damage === 'replace with a file' || damage === 'replace with a directory') {
    rmSync(path, { recursive: true, force: true })
    if (isDir) writeFileSync(path, 'not a directory')
    else mkdirSync(path)
  } else if (damage === 'truncate') {
    const size = statSync(path).size
    const to = r.int(Math.max(size, 1))
    truncateSync(path, to)
    return `to ${to} of ${size} bytes`
  } else {
    const b = readFileSync(path)
    if (b.length === 0) return 'empty file left as it is'
    if (damage === 'flip a bit') {
      const at = r.int(b.length)
      b[at] = (b[at] as number) ^ (1 << r.int(8))
      writeFileSync(path, b)
      return `one bit at byte ${at}`
    }
    const at = r.int(b.length)
    const n = 1 + r.int(Math.min(64, b.length - at))
    for (let i = 0; i < n; i++) b[at + i] = r.int(256)
    writeFileSync(path, b)
    return `${n} random bytes at ${at}`
  }
  return ''
}

describe('randomized corruption of every kind of lake file', () => {
  const { dir, cleanup } = tempDir()
  let shared: DuckDBInstance
  const t: Template = { root: join(dir, 'lake'), backup: join(dir, 'template'), keys: {} as Template['keys'] }
  const codes = new Map<string, number>()
  /** Every broken promise, listed at the end (one case failing should not hide the others). */
  const problems: string[] = []
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what)
  }

  beforeAll(async () => {
    shared = await DuckDBInstance.create(':memory:', { threads: '1' })
    const lake = await openLake(t.root, { clock: () => NOW })
    const trades = await lake.table('silver.trades')
    await trades.append(makeTrades(120, { startId: 1 }))
    await trades.append(makeTrades(120, { startId: 1000, start: T0 + MICROS_PER_DAY }))
    await trades.append(makeTrades(60, { startId: 5000, start: T0 + 3_600_000_000 }))
    await trades.compact({ smallFileBytes: 2 ** 40 }) // a replace: consolidated manifest, replaced data files
    const gold = await lake.table('gold.ohlcv')
    await gold.append(candles(40, 0, T0))
    await gold.append(candles(40, 40, T0 + 40 * MICROS_PER_DAY)) // next month
    await gold.append(candles(20, 100, T0))
    await gold.compact({ smallFileBytes: 2 ** 40 })
    for (const name of TABLES) {
      const table = await lake.table(name)
      const [first] = await table.history()
      t.keys[name] = {
        now: (await table.scan()).map((x) => rowOf(name, x)),
        first: (await table.scan({ snapshot: first?.snapshotId as bigint })).map((x) => rowOf(name, x)),
      }
    }
    await lake.close()
    cpSync(t.root, t.backup, { recursive: true })
  })
  afterAll(() => {
    shared?.closeSync()
    cleanup()
  })

  it('every case ends in a clear K2Error or a correct read, and no acknowledged row is lost', async () => {
    const r = rng(SEED)
    const cases: [Target, string][] = [
      ...FILE_TARGETS.flatMap((x) => FILE_DAMAGE.map((d) => [x, d] as [Target, string])),
      // data pages are where a damaged byte most often reads as a wrong value: more samples there
      ...(['flip a bit', 'overwrite bytes'] as const).flatMap((d) => [0, 1, 2].map(() => ['data file', d] as [Target, string])),
      ...DIR_TARGETS.flatMap((x) => DIR_DAMAGE.map((d) => [x, d] as [Target, string])),
    ]
    let n = 0
    for (let round = 0; round < ROUNDS; round++) {
      for (const [target, damage] of cases) {
        n++
        const table = r.pick(TABLES)
        rmSync(t.root, { recursive: true, force: true })
        cpSync(t.backup, t.root, { recursive: true })
        const path = pickTarget(t, table, target, r)
        const how = hurt(path, damage, r)
        await runCase(`#${n} ${table}: ${damage} ${target} ${path.slice(t.root.length)} ${how}`, table, n)
      }
    }
    console.log(`corruption: ${n} cases (seed ${SEED}); errors by code: ${JSON.stringify(Object.fromEntries(codes))}`)
    expect(problems).toEqual([])
  }, 120_000)

  async function runCase(name: string, table: Table, c: number): Promise<void> {
    const open = () =>
      openLake(t.root, { clock: () => NOW, query: { engine: createDuckDBEngine({ instance: shared }), maxRows: 1_000_000 } })
    let lake = await open()
    const acked = new Set<string>()
    const expected = () => new Set([...t.keys[table].now, ...acked])
    /** Runs a step: its value, or undefined after checking the error is a clear K2Error. */
    async function step<V>(what: string, run: () => Promise<V>): Promise<V | undefined> {
      try {
        return await run()
      } catch (err) {
        const where = `${name} → ${what}`
        if (!K2Error.isInstance(err)) {
          check(
            false,
            `${where}: not a K2Error: ${String((err as Error)?.stack ?? err)
              .split('\n')
              .slice(0, 2)
              .join(' ')}`,
          )
          return undefined
        }
        check(err.code !== 'INTERNAL' && err.message.length > 30, `${where}: ${err.code} ${err.message}`)
        codes.set(err.code, (codes.get(err.code) ?? 0) + 1)
        if (process.env.K2_CORRUPTION_LOG) console.log(`${where}: ${err.code} ${err.message.slice(0, 300)}`)
        return undefined
      }
    }
    const keysOf = (rows: Record<string, unknown>[]) => rows.map((x) => rowOf(table, x)).sort()
    const sameRows = (rows: Record<string, unknown>[] | undefined, want: Iterable<string>, what: string) => {
      if (!rows) return
      const got = keysOf(rows)
      const wanted = [...want].sort()
      const missing = wanted.filter((k) => !got.includes(k))
      const extra = got.filter((k) => !wanted.includes(k))
      check(
        got.length === wanted.length && missing.length === 0 && extra.length === 0,
        `${name} → ${what}: ${got.length} rows, want ${wanted.length}; missing ${missing.slice(0, 2)}; wrong or extra ${extra.slice(0, 2)}`,
      )
    }
    const reads = async (l: typeof lake, what: string, all: boolean) => {
      const tab = await step(`${what}: table()`, () => l.table(table as TableName))
      if (!tab) return
      sameRows(await step(`${what}: scan()`, () => tab.scan()), expected(), `${what}: scan()`)
      sameRows(await step(`${what}: query()`, () => l.query(table).rows()), expected(), `${what}: query()`)
      if (!all) return
      const n = await step(`${what}: sql count`, () => l.sql`select count(*) as n from ${l.ref(table)}`.rows())
      if (n) check(Number(n[0]?.n) === expected().size, `${name} → ${what}: sql count ${n[0]?.n}, want ${expected().size}`)
      await step(`${what}: files()`, () => l.files(table))
      const history = await step(`${what}: history()`, () => tab.history())
      const first = history?.[0]
      if (first) {
        const old = await step(`${what}: scan(first snapshot)`, () => tab.scan({ snapshot: first.snapshotId }))
        sameRows(old, t.keys[table].first, `${what}: scan(first snapshot)`)
      }
    }
    try {
      await reads(lake, 'open', true)
      const tab = await step('write: table()', () => lake.table(table as TableName))
      const rows = newRows(table, c)
      if (tab && (await step('write: append()', () => tab.append(rows as never)))) for (const x of rows) acked.add(rowOf(table, x))
      await reads(lake, 'after the write', false)
      if (tab) await step('compact()', () => tab.compact({ smallFileBytes: 2 ** 40 }))
      if (tab) await step('removeOrphans()', () => tab.removeOrphans({ olderThan: 0 }))
      await lake.close()
      lake = await open() // a fresh process would see the same: acknowledged rows are all there
      await reads(lake, 'reopened', true)
    } finally {
      await lake.close()
    }
  }
})
