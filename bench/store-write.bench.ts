import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { DuckDBInstance } from '@duckdb/node-api'
import type { Trade } from '@k2/core'
import { openLake } from '@k2/store'
import { compare, writeSection } from './harness.js'

// 10 million trades from JS objects to committed Parquet in the lake (writer → DuckDB → ZSTD
// Parquet → Iceberg commit, fsync included), against DuckDB's own COPY … TO parquet of the same
// rows from a DuckDB table. Both on one DuckDB thread. K2_BENCH_TRADES overrides the count.
const N = Number(process.env.K2_BENCH_TRADES ?? 10_000_000)
const SYMBOLS = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT', 'XRP-USDT'] as const
const T0 = Date.UTC(2024, 0, 30) * 1000

function makeTrades(n: number): Trade[] {
  const out = new Array<Trade>(n)
  for (let i = 0; i < n; i++) {
    const ts = T0 + i * 20_000 // 50 trades/s → 10M span ~2.3 days: a few day partitions
    out[i] = {
      type: 'trade',
      exchange: 'binance',
      symbol: SYMBOLS[i & 3] as Trade['symbol'],
      id: String(3_000_000_000 + i),
      price: 40_000 + ((i * 7919) % 100_000) / 100,
      qty: ((i * 31) % 5000) / 1000 + 0.001,
      side: i % 3 === 0 ? 'sell' : 'buy',
      ts,
      recvTs: ts + 150 + (i % 700),
    }
  }
  return out
}

function dirBytes(dir: string, ext: string): number {
  let total = 0
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(ext)) total += statSync(join(e.parentPath, e.name)).size
  }
  return total
}

export default async function (): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'k2-bench-'))
  const trades = makeTrades(N)
  // The reference's input: the same rows already in a DuckDB table.
  const db = await DuckDBInstance.create(':memory:', { threads: '1' })
  const conn = await db.connect()
  await conn.run(`CREATE TABLE trades AS SELECT 'binance' AS exchange, ['BTC-USDT', 'ETH-USDT', 'SOL-USDT', 'XRP-USDT'][(i % 4) + 1] AS symbol,
      (3000000000 + i)::VARCHAR AS id, 40000 + ((i * 7919) % 100000) / 100 AS price, ((i * 31) % 5000) / 1000 + 0.001 AS qty,
      CASE WHEN i % 3 = 0 THEN 'sell' ELSE 'buy' END AS side, make_timestamp(${T0} + i * 20000)::TIMESTAMPTZ AS ts,
      make_timestamp(${T0} + i * 20000 + 150 + (i % 700))::TIMESTAMPTZ AS recv_ts FROM range(${N}) t(i)`)
  let lakeDir = ''
  let refFile = ''
  let run = 0
  const rows = await compare({
    id: 'store-write',
    title: `store: ${N.toLocaleString('en-US')} trades from JS objects to committed Parquet (ZSTD), one DuckDB thread`,
    unit: 'trades',
    samples: 3,
    warmup: 1,
    target: '≥ 1 M trades/s and ≥ 0.5× the reference (within 2× of DuckDB COPY)',
    reference: {
      name: 'DuckDB COPY table TO parquet (ZSTD)',
      units: N,
      setup: () => {
        refFile = join(work, `ref-${run++}.parquet`)
      },
      run: () => conn.run(`COPY trades TO '${refFile}' (FORMAT parquet, COMPRESSION zstd)`),
    },
    subjects: [
      {
        name: 'K2 lake writer: append + flush (validated, deduplicated, partitioned, fsynced, committed)',
        units: N,
        setup: () => {
          if (lakeDir) rmSync(lakeDir, { recursive: true, force: true })
          lakeDir = join(work, `lake-${run++}`)
        },
        run: async () => {
          const lake = await openLake(lakeDir, { threads: 1 })
          const t = await lake.table('silver.trades')
          const w = t.writer({ flushRows: 1_000_000, flushMs: 0 })
          for (let i = 0; i < trades.length; i += 10_000) await w.append(trades.slice(i, i + 10_000))
          await w.close()
          await lake.close()
        },
      },
    ],
  })
  // Size on disk: the lake's Parquet against the same rows as gzip CSV.
  const parquetBytes = dirBytes(join(lakeDir, 'silver', 'trades', 'data'), '.parquet')
  let gzBytes = 0
  const CH = 500_000
  for (let i = 0; i < N; i += CH) {
    const lines = trades.slice(i, i + CH).map((t) => `${t.exchange},${t.symbol},${t.id},${t.price},${t.qty},${t.side},${t.ts},${t.recvTs}`)
    gzBytes += gzipSync(`${i === 0 ? 'exchange,symbol,id,price,qty,side,ts,recv_ts\n' : ''}${lines.join('\n')}\n`).length
  }
  const refBytes = statSync(refFile).size
  const k2 = rows[1]
  const table = [
    `### store: bytes per trade on disk (${N.toLocaleString('en-US')} trades)`,
    '',
    '| format | bytes | bytes/trade |',
    '| --- | ---: | ---: |',
    `| K2 lake Parquet (ZSTD, partitioned by day and exchange, sorted by symbol, ts) | ${parquetBytes.toLocaleString('en-US')} | ${(parquetBytes / N).toFixed(2)} |`,
    `| DuckDB COPY Parquet (ZSTD, unsorted, one file) | ${refBytes.toLocaleString('en-US')} | ${(refBytes / N).toFixed(2)} |`,
    `| gzip CSV (level 6) | ${gzBytes.toLocaleString('en-US')} | ${(gzBytes / N).toFixed(2)} |`,
    '',
    `K2 write throughput: ${Math.round(k2?.perSecond ?? 0).toLocaleString('en-US')} trades/s, ${(k2?.ratio ?? 0).toFixed(2)}× the reference.`,
  ].join('\n')
  console.log(`\n${table}`)
  writeSection('store-write-bytes', table)
  conn.closeSync()
  db.closeSync()
  rmSync(work, { recursive: true, force: true })
}
