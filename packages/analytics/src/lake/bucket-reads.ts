import { MICROS_PER_DAY, type ParsedTimeframe } from '@k2/core'
import type { Lake } from '@k2/store'
import type { GoldRow } from './gold-row.js'
import { tradeCandles } from './trade-candles-sql.js'

/**
 * The buckets a roll-up recomputes, and the two reads that recompute them: candles of exactly
 * those buckets from silver.trades, and the stored lower-timeframe candles inside them from gold.
 * Reads go in runs of nearby buckets (split where a day or more lies between), so a backfill a
 * month back and today's new hour do not read the month between them.
 */

export interface Bucket {
  exchange: string
  symbol: string
  start: number
}

/** Bucket starts per exchange/symbol. */
export class BucketSet {
  readonly #byKey = new Map<string, Set<number>>()

  add(exchange: string, symbol: string, start: number): void {
    const k = `${exchange}\u0000${symbol}`
    let s = this.#byKey.get(k)
    if (!s) {
      s = new Set()
      this.#byKey.set(k, s)
    }
    s.add(start)
  }

  has(exchange: string, symbol: string, start: number): boolean {
    return this.#byKey.get(`${exchange}\u0000${symbol}`)?.has(start) ?? false
  }

  get size(): number {
    let n = 0
    for (const s of this.#byKey.values()) n += s.size
    return n
  }

  /** Every bucket, by start. */
  list(): Bucket[] {
    const out: Bucket[] = []
    for (const [k, starts] of this.#byKey) {
      const [exchange, symbol] = k.split('\u0000') as [string, string]
      for (const start of starts) out.push({ exchange, symbol, start })
    }
    return out.sort((a, b) => a.start - b.start)
  }
}

const MAX_KEYS = 10_000 // the query layer's longest bound list

/** Runs of buckets by start, at most MAX_KEYS each, split where a day or more lies between two. */
function runs(buckets: Bucket[], width: number): Bucket[][] {
  const out: Bucket[][] = []
  let run: Bucket[] = []
  for (const b of buckets) {
    const last = run.at(-1)
    if (last && (run.length >= MAX_KEYS || b.start - last.start > MICROS_PER_DAY + width)) {
      out.push(run)
      run = []
    }
    run.push(b)
  }
  if (run.length > 0) out.push(run)
  return out
}

/** Candles of exactly `buckets` (timeframe `tf`) from silver.trades at `snapshot`. */
export async function candlesOfBuckets(lake: Lake, tf: ParsedTimeframe, buckets: BucketSet, snapshot: bigint | null): Promise<GoldRow[]> {
  const out: GoldRow[] = []
  for (const run of runs(buckets.list(), tf.micros)) {
    const rows = await tradeCandles(lake, {
      timeframe: tf,
      offset: 0,
      lo: (run[0] as Bucket).start,
      hi: (run.at(-1) as Bucket).start + tf.micros,
      exchange: null,
      symbol: null,
      keys: { exchange: run.map((b) => b.exchange), symbol: run.map((b) => b.symbol), start: run.map((b) => b.start) },
      snapshot,
    })
    out.push(...rows)
  }
  return out
}

/** Stored candles of timeframe `lower` (source trades) inside the `higher` buckets of `within`. */
export async function goldRowsWithin(lake: Lake, lower: ParsedTimeframe, higher: ParsedTimeframe, within: BucketSet): Promise<GoldRow[]> {
  const out: GoldRow[] = []
  for (const run of runs(within.list(), higher.micros)) {
    const rows = (await lake
      .query('gold.ohlcv')
      .where({
        timeframe: lower.timeframe,
        source: 'trades',
        exchange: [...new Set(run.map((b) => b.exchange))],
        symbol: [...new Set(run.map((b) => b.symbol))],
      })
      .between('start', (run[0] as Bucket).start, (run.at(-1) as Bucket).start + higher.micros - 1)
      .rows()) as GoldRow[]
    for (const r of rows)
      if (within.has(r.exchange, r.symbol, r.start - (((r.start % higher.micros) + higher.micros) % higher.micros))) out.push(r)
  }
  return out
}
