import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { lakeOhlcv, rollup } from '@k2/analytics'
import type { Timeframe, Trade } from '@k2/core'
import { createDuckDBEngine } from '@k2/query/duckdb'
import { type Lake, openLake } from '@k2/store'
import { compare } from './harness.js'

// Candles over the lake. (1) SQL OHLCV: exact 1m candles over 10M trades in silver.trades (30 days,
// 4 symbols) through the query layer, against a plain DuckDB read_parquet GROUP BY with float sums
// over the same files. (2) The incremental roll-up after appending one hour of trades to that
// 30-day lake, against the full roll-up of it (all five timeframes). K2_BENCH_TRADES overrides N.
// The exact SQL path costs ~10 µs per trade (VARCHAR → DECIMAL(38, 12) casts and HUGEINT products),
// so 10M trades (K2_BENCH_TRADES=10000000) take minutes per call; the default keeps the run short.
const N = Number(process.env.K2_BENCH_TRADES ?? 1_000_000)
const SYMBOLS = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT', 'XRP-USDT'] as const
const T0 = Date.UTC(2024, 0, 1) * 1000
const DAYS = 30
const STEP = Math.floor((DAYS * 86_400_000_000) / N) // µs between trades
const TFS: Timeframe[] = ['1m', '5m', '30m', '1h', '1d']
const clock = () => T0 + 40 * 86_400_000_000 // every candle within retention: the full roll-up writes them all

function trade(i: number): Trade {
  const ts = T0 + i * STEP
  return {
    type: 'trade',
    exchange: 'binance',
    symbol: SYMBOLS[i & 3] as Trade['symbol'],
    id: String(1_000_000_000 + i),
    price: (4_000_000 + ((i * 7919) % 100_000)) / 100, // one division: the shortest decimal has 2 places
    qty: (((i * 31) % 5000) + 1) / 1000,
    side: i % 3 === 0 ? 'sell' : 'buy',
    ts,
    recvTs: ts + 150,
  }
}

async function fill(lake: Lake, from: number, to: number): Promise<void> {
  const w = (await lake.table('silver.trades')).writer({ flushRows: 1_000_000, flushMs: 0 })
  const CH = 10_000
  for (let i = from; i < to; i += CH) await w.append(Array.from({ length: Math.min(CH, to - i) }, (_, k) => trade(i + k)))
  await w.close()
}

export default async function (): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'k2-bench-candles-'))
  const lake = await openLake(join(work, 'lake'), {
    clock,
    query: { engine: createDuckDBEngine({ memoryLimit: '8GB' }), timeoutMs: 600_000, maxRows: 5_000_000 },
  })
  await fill(lake, 0, N)
  const paths = (await lake.files('silver.trades')).files.map((f) => f.path)
  const db = await DuckDBInstance.create(':memory:', { memory_limit: '8GB' })
  const conn = await db.connect()
  const reference = `SELECT exchange, symbol, time_bucket(INTERVAL 1 minute, ts) AS start, arg_min(price, ts) AS open, max(price) AS high,
      min(price) AS low, arg_max(price, ts) AS close, count(*) AS trades, sum(qty) AS volume, sum(price * qty) AS quote_volume,
      sum(qty) FILTER (WHERE side = 'buy') AS buy_volume
    FROM read_parquet([${paths.map((p) => `'${p}'`).join(', ')}]) GROUP BY ALL`
  let candles = 0
  await compare({
    id: 'analytics-lake-sql',
    title: `analytics: SQL OHLCV over the lake, ${N.toLocaleString('en-US')} trades (30 days, 4 symbols) → 1m candles`,
    unit: 'trades',
    samples: 3,
    warmup: 1,
    target: 'reported beside the streaming path (issue 12); exact decimal sums cost over float sums',
    reference: {
      name: 'DuckDB read_parquet GROUP BY, float sums (inexact), same files',
      units: N,
      run: () => conn.run(`CREATE OR REPLACE TEMP TABLE ref AS ${reference}`),
    },
    subjects: [
      {
        name: 'K2 lakeOhlcv 1m: exact DECIMAL sums, contract order, domain checks, coverage',
        units: N,
        run: async () => {
          candles = (await lakeOhlcv(lake, { timeframe: '1m' })).length
        },
      },
    ],
    note: () => `${candles.toLocaleString('en-US')} candles per call.`,
  })
  conn.closeSync()
  db.closeSync()

  await rollup(lake, { timeframes: TFS, clock })
  let next = N
  const hour = Math.ceil(3_600_000_000 / STEP)
  let last = { trades: 0, gold: 0, buckets: '' }
  await compare({
    id: 'analytics-lake-rollup',
    title: `analytics: incremental roll-up after appending one hour (${hour.toLocaleString('en-US')} trades) to a 30-day lake of ${N.toLocaleString('en-US')} trades, vs the full roll-up (1m, 5m, 30m, 1h, 1d)`,
    unit: 'roll-ups',
    samples: 3,
    warmup: 1,
    target: 'incremental ≤ 2% of the full roll-up (ratio ≥ 50×)',
    reference: {
      name: 'full roll-up (every bucket from the trades, one commit)',
      units: 1,
      run: () => rollup(lake, { timeframes: TFS, clock, full: true }),
    },
    subjects: [
      {
        name: 'incremental roll-up (only the new files; higher timeframes from stored lower candles)',
        units: 1,
        setup: async () => {
          await fill(lake, next, next + hour) // the next hour, appended after the lake's last trade
          next += hour
        },
        run: async () => {
          const r = await rollup(lake, { timeframes: TFS, clock })
          if (r.mode !== 'incremental') throw new Error(`expected an incremental roll-up, got ${r.mode}`)
          last = { trades: r.rowsRead.trades, gold: r.rowsRead.gold, buckets: JSON.stringify(r.buckets) }
        },
      },
    ],
    note: (rows) =>
      `Incremental = ${((100 * (rows[1]?.medianMs ?? 0)) / (rows[0]?.medianMs ?? 1)).toFixed(2)}% of the full roll-up; the last one read ${last.trades.toLocaleString('en-US')} trades and ${last.gold} gold rows and wrote ${last.buckets}. Load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}.`,
  })
  await lake.close()
  rmSync(work, { recursive: true, force: true })
}
