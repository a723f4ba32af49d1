import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { DuckDBInstance } from '@duckdb/node-api'
import { MICROS_PER_DAY } from '@k2/core'
import { importTrades } from '@k2/store'
import { describe, expect, it } from 'vitest'
import { T0, useTempLake } from './helpers.js'

const SYMBOLS = 20
const DAYS = 30
const PER_DAY = 140_000 // 4.2M trades: as JS objects they would take well over 600 MB

// A full GC before each sample, so the heap measured is what the replay keeps alive, not garbage.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Writes `n` trades of 20 symbols over 30 days to a Parquet file in K2's silver.trades columns (DuckDB, no JS rows). */
async function generate(path: string, firstDay: number, days: number): Promise<void> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' })
  const conn = await db.connect()
  const n = days * PER_DAY
  const step = Math.floor(MICROS_PER_DAY / PER_DAY)
  await conn.run(`COPY (
    SELECT 'binance' AS exchange, 'S' || (range % ${SYMBOLS}) || '-USDT' AS symbol, (range + ${firstDay * PER_DAY})::VARCHAR AS id,
      100 + (range % 97) / 10 AS price, 0.001 * (1 + range % 13) AS qty, CASE WHEN range % 3 = 0 THEN 'sell' ELSE 'buy' END AS side,
      ${T0 + firstDay * MICROS_PER_DAY} + range * ${step} AS ts, ${T0 + firstDay * MICROS_PER_DAY} + range * ${step} + 900 AS recv_ts
    FROM range(${n})) TO '${path}' (FORMAT parquet)`)
  conn.closeSync()
  db.closeSync()
}

describe('lake.replay memory', () => {
  const fx = useTempLake()

  it('stays flat over 30 days × 20 symbols (4.2M trades): live heap and RSS bounded while streaming', async () => {
    for (let d = 0; d < DAYS; d += 10) {
      const path = join(fx.dir, `t${d}.parquet`)
      await generate(path, d, 10)
      await importTrades(fx.lake, [path])
    }
    gc()
    const base = process.memoryUsage()
    let n = 0
    let last = Number.NEGATIVE_INFINITY
    const heap: number[] = []
    const rss: number[] = []
    let peakRss = base.rss
    const replay = fx.lake.replay({ from: T0, to: T0 + DAYS * MICROS_PER_DAY, channels: ['trades'] })
    for await (const batch of replay.batches()) {
      for (const e of batch) {
        if (e.ts < last) throw new Error(`out of order at ${n}`)
        last = e.ts
      }
      n += batch.length
      if (n % 200_000 < batch.length) {
        gc()
        const m = process.memoryUsage()
        heap.push(m.heapUsed)
        rss.push(m.rss)
        peakRss = Math.max(peakRss, m.rss)
      }
    }
    expect(n).toBe(DAYS * PER_DAY)
    const mb = (b: number) => Math.round(b / 2 ** 20)
    const early = Math.max(...heap.slice(0, Math.ceil(heap.length / 4)))
    const late = Math.max(...heap.slice(Math.floor((3 * heap.length) / 4)))
    const quarter = (xs: number[], q: 0 | 3) =>
      Math.max(...(q === 0 ? xs.slice(0, Math.ceil(xs.length / 4)) : xs.slice(Math.floor((3 * xs.length) / 4))))
    console.log(
      `replay memory: ${n} trades, heap early ${mb(early)} MB, late ${mb(late)} MB, peak RSS ${mb(peakRss)} MB (base ${mb(base.rss)} MB, first quarter ${mb(quarter(rss, 0))}, last ${mb(quarter(rss, 3))})`,
    )
    expect(mb(Math.max(...heap) - base.heapUsed)).toBeLessThan(100)
    expect(mb(peakRss - base.rss)).toBeLessThan(300)
    expect(mb(quarter(rss, 3) - quarter(rss, 0))).toBeLessThan(64)
    expect(mb(late - early)).toBeLessThan(64) // flat: the last quarter holds no more than the first
  }, 300_000)
})
