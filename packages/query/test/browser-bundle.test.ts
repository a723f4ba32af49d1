import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { K2Error } from '@k2/core'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openWasmDatabase } from './support/wasm-db.js'

// @k2/query's main entry must load in a browser: bundled for the browser platform it needs no Node
// built-in and no native module, and the bundle really queries on duckdb-wasm (run here in Node).
const root = fileURLToPath(new URL('../../../', import.meta.url))
const entry = (name: string) => join(root, 'packages/query/src', name)
const bundle = (file: string) =>
  build({
    entryPoints: [entry(file)],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    tsconfig: join(root, 'tsconfig.json'), // @k2/core from its sources, as the tests import it
  })

type Query = typeof import('@k2/query')
let dir: string
let built: Awaited<ReturnType<typeof bundle>>
let query: Query

beforeAll(async () => {
  built = await bundle('index.ts')
  dir = mkdtempSync(join(tmpdir(), 'k2-browser-'))
  const file = join(dir, 'k2-query.browser.mjs')
  writeFileSync(file, built.outputFiles[0]?.text ?? '')
  query = (await import(pathToFileURL(file).href)) as Query
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const trades = Array.from({ length: 600 }, (_, i) => ({
  exchange: 'coinbase',
  symbol: i % 3 === 0 ? 'ETH-USD' : 'BTC-USD',
  id: String(1000 + i),
  price: 100 + (i % 17),
  qty: 0.5 + (i % 4),
  side: i % 2 === 0 ? 'buy' : 'sell',
  ts: Date.UTC(2026, 10, 2) * 1000 + i * 1_000_000,
  recv_ts: Date.UTC(2026, 10, 2) * 1000 + i * 1_000_000 + 250,
}))

describe('@k2/query in a browser bundle', () => {
  it('bundles for the browser platform with no Node built-in and no native DuckDB', () => {
    const inputs = Object.keys(built.metafile.inputs)
    expect(inputs.some((p) => p.includes('packages/query/src/select-query-builder.ts'))).toBe(true)
    expect(inputs.filter((p) => /node-api|node-bindings|^node:/.test(p))).toEqual([])
    expect(built.outputFiles[0]?.text).not.toMatch(/from ["']node:|require\(["']node:/)
  })

  it('is a real check: the native engine entry does not bundle for the browser', async () => {
    await expect(bundle('duckdb.ts')).rejects.toThrow(/Could not resolve|node:/)
  })

  it('runs typed queries over in-memory rows on duckdb-wasm, from the bundle', async () => {
    const engine = await query.createDuckDBWasmEngine({ db: await openWasmDatabase() })
    const layer = query.createQueryLayer(query.memoryCatalog({ 'silver.trades': trades }), { engine, pool: { size: 1 } })
    try {
      const rows = await layer
        .query('silver.trades')
        .where({ symbol: 'BTC-USD' })
        .bucket('1m', { as: 'start' })
        .aggregate((f) => ({ n: f.count(), volume: f.sum('qty'), high: f.max('price') }))
        .orderBy('start')
        .rows()
      const btc = trades.filter((t) => t.symbol === 'BTC-USD')
      const minutes = new Map<number, typeof btc>()
      for (const t of btc) {
        const start = t.ts - (t.ts % 60_000_000)
        minutes.set(start, [...(minutes.get(start) ?? []), t])
      }
      expect(rows).toEqual(
        [...minutes].map(([start, ts]) => ({
          start,
          n: ts.length,
          volume: ts.reduce((s, t) => s + t.qty, 0),
          high: Math.max(...ts.map((t) => t.price)),
        })),
      )
      const [first] = await layer.query('silver.trades').orderBy('ts').limit(1).rows()
      expect(first).toEqual(trades[0])
    } finally {
      await layer.close()
    }
  })

  it('says UNSUPPORTED, never hangs, when a query needs Parquet that duckdb-wasm cannot fetch', async () => {
    const engine = await query.createDuckDBWasmEngine({ db: await openWasmDatabase() })
    const catalog = {
      files: async (table: 'silver.trades') => ({
        table,
        snapshotId: 1n,
        files: [
          { path: '/lake/a.parquet', recordCount: 1, fileSizeBytes: 1, partition: {}, lowerBounds: {}, upperBounds: {}, nullCounts: {} },
        ],
      }),
    }
    const layer = query.createQueryLayer(catalog, { engine, pool: { size: 1 } })
    try {
      const err = await layer
        .query('silver.trades')
        .rows()
        .catch((e: unknown) => e)
      expect(K2Error.isInstance(err)).toBe(true) // the bundle's own copy of core, recognised across copies
      expect(err).toMatchObject({ code: 'UNSUPPORTED', message: /Parquet extension/ })
    } finally {
      await layer.close()
    }
  })
})
