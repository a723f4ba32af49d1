import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { MICROS_PER_DAY } from '@k2/core'
import { importTrades, openLake } from '@k2/store'
import { combine } from 'tardis-dev'
import { compare } from './harness.js'

// lake.replay() over 20 symbols × 30 days of trades (one exchange, the files a day-partitioned
// import writes), against tardis-dev's combine() merging the same trades held in memory as one
// async iterable per symbol (its historical path: a k-way merge by localTimestamp). The reference
// reads nothing from disk; the replay reads, checks and sorts every Parquet file as it goes.

const SYMBOLS = 20
const DAYS = 30
const PER_DAY = Number(process.env.REPLAY_PER_DAY ?? 100_000) // 3M trades by default
const T0 = Date.UTC(2026, 10, 1) * 1000

async function generate(dir: string, lakeDir: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' })
  const conn = await db.connect()
  const lake = await openLake(lakeDir)
  const step = Math.floor(MICROS_PER_DAY / PER_DAY)
  for (let d = 0; d < DAYS; d += 10) {
    const path = join(dir, `trades-${d}.parquet`)
    const t0 = T0 + d * MICROS_PER_DAY
    await conn.run(`COPY (SELECT 'binance' AS exchange, 'S' || lpad((range % ${SYMBOLS})::VARCHAR, 2, '0') || '-USDT' AS symbol,
      (range + ${d * PER_DAY + 1})::VARCHAR AS id, 100 + (range % 97) / 10 AS price, 0.001 * (1 + range % 13) AS qty,
      CASE WHEN range % 3 = 0 THEN 'sell' ELSE 'buy' END AS side, ${t0} + range * ${step} AS ts, ${t0} + range * ${step} + 900 AS recv_ts
      FROM range(${10 * PER_DAY})) TO '${path}' (FORMAT parquet)`)
    await importTrades(lake, [path])
  }
  conn.closeSync()
  db.closeSync()
  await lake.close()
}

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'k2-replay-bench-'))
  const lakeDir = join(dir, 'lake')
  try {
    let t = performance.now()
    await generate(dir, lakeDir)
    console.log(`generated ${DAYS * PER_DAY} trades in ${((performance.now() - t) / 1000).toFixed(1)} s`)
    const lake = await openLake(lakeDir)
    const opts = { from: T0, to: T0 + DAYS * MICROS_PER_DAY, channels: ['trades' as const] }

    // Memory of a replay alone (before the reference's messages fill the heap).
    const baseRss = process.memoryUsage().rss
    let aloneRss = baseRss
    const alone = setInterval(() => {
      aloneRss = Math.max(aloneRss, process.memoryUsage().rss)
    }, 50)
    let n = 0
    t = performance.now()
    for await (const b of lake.replay(opts).batches()) n += b.length
    clearInterval(alone)
    const firstRate = n / ((performance.now() - t) / 1000)

    // The reference's input: the same trades, as tardis-dev messages, one array per symbol.
    t = performance.now()
    const perSymbol = new Map<
      string,
      { type: 'trade'; symbol: string; id: string; price: number; amount: number; side: string; timestamp: Date; localTimestamp: Date }[]
    >()
    for await (const batch of lake.replay(opts).batches()) {
      for (const e of batch) {
        if (e.type !== 'trade') continue
        let list = perSymbol.get(e.symbol)
        if (!list) {
          list = []
          perSymbol.set(e.symbol, list)
        }
        const at = new Date(Math.floor(e.ts / 1000))
        list.push({
          type: 'trade',
          symbol: e.symbol,
          id: e.id,
          price: e.price,
          amount: e.qty,
          side: e.side,
          timestamp: at,
          localTimestamp: at,
        })
      }
    }
    const total = [...perSymbol.values()].reduce((n, l) => n + l.length, 0)
    console.log(`loaded the reference's ${total} messages in ${((performance.now() - t) / 1000).toFixed(1)} s`)
    async function* iterate<T>(list: readonly T[]): AsyncGenerator<T> {
      for (const m of list) yield m
    }

    let peakRss = 0
    const sampleRss = () => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss)
    }
    let sink = 0
    await compare({
      id: 'replay',
      title: `replay: ${SYMBOLS} symbols × ${DAYS} days of trades (${(total / 1e6).toFixed(1)}M) merged in exchange-time order`,
      unit: 'events',
      samples: 3,
      warmup: 1,
      target: '≥ 5 million events/s merged across 20 symbols, RSS flat over 30 days (issue 15)',
      reference: {
        name: 'tardis-dev combine() over 20 in-memory async iterables',
        units: total,
        run: async () => {
          for await (const m of combine(...([...perSymbol.values()].map((l) => iterate(l)) as never[])))
            sink += (m as { price: number }).price
        },
      },
      subjects: [
        {
          name: 'lake.replay() — for await per event',
          units: total,
          run: async () => {
            const timer = setInterval(sampleRss, 50)
            try {
              for await (const e of lake.replay(opts)) sink += e.ts
            } finally {
              clearInterval(timer)
            }
          },
        },
        {
          name: 'lake.replay().batches() — for await per batch of 4096',
          units: total,
          run: async () => {
            const timer = setInterval(sampleRss, 50)
            try {
              for await (const b of lake.replay(opts).batches()) for (const e of b) sink += e.ts
            } finally {
              clearInterval(timer)
            }
          },
        },
      ],
      note: () =>
        `A replay alone (first pass, before the reference's messages are built): ${(firstRate / 1e6).toFixed(2)}M events/s, peak RSS ${Math.round(aloneRss / 2 ** 20)} MB (${Math.round(baseRss / 2 ** 20)} MB before it). Peak RSS during the timed replays ${Math.round(peakRss / 2 ** 20)} MB, which includes the reference's ${(total / 1e6).toFixed(1)}M messages. Load average ${loadavg()[0]?.toFixed(2)}.`,
    })
    if (sink === 42) console.log('')
    await lake.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
