import { MICROS_PER_DAY, toIso } from '@k2/core'
import type { CandleGroup } from '../candle-checker.js'
import type { CandleRow } from '../candle-row.js'
import type { BucketPrice } from '../divergence.js'
import type { TradeDay } from '../price-jump.js'
import { compareByTs, compareIds, type TradeKey, type TradeRow } from '../trade-row.js'
import type { CandleSource, TradeSource } from './source.js'

function groupBy<R>(rows: readonly R[], keyOf: (r: R) => string): Map<string, R[]> {
  const out = new Map<string, R[]>()
  for (const r of rows) {
    const k = keyOf(r)
    const list = out.get(k)
    if (list) list.push(r)
    else out.set(k, [r])
  }
  return out
}

const dayOf = (ts: number) => Math.floor(ts / MICROS_PER_DAY) * MICROS_PER_DAY

/** Candles held in memory, grouped and sorted here (the rows are already in memory). */
export function memoryCandles(rows: readonly CandleRow[], target: string): CandleSource {
  return {
    target,
    *groups() {
      for (const list of groupBy(rows, (c) => `${c.exchange}\0${c.symbol}\0${c.source}`).values()) {
        const first = list[0] as CandleRow
        const group: CandleGroup = {
          exchange: first.exchange,
          symbol: first.symbol,
          source: first.source,
          timeframes: [...new Set(list.map((c) => c.timeframe))],
        }
        const sorted = list.slice().sort((a, b) => a.start - b.start)
        yield { group, rows: () => sorted }
      }
    },
  }
}

/** Trades held in memory. */
export function memoryTrades(rows: readonly TradeRow[], target: string): TradeSource {
  const keys = [...groupBy(rows, (t) => `${t.exchange}\0${t.symbol}`).values()]
  const keyOf = (list: TradeRow[]): TradeKey => ({ exchange: (list[0] as TradeRow).exchange, symbol: (list[0] as TradeRow).symbol })
  return {
    target,
    *byId() {
      for (const list of keys) {
        const sorted = list.slice().sort((a, b) => compareIds(a.id, b.id))
        yield { key: keyOf(list), rows: () => sorted }
      }
    },
    *days(): Iterable<TradeDay> {
      for (const list of keys) {
        for (const [day, inDay] of groupBy(list.slice().sort(compareByTs), (t) => String(dayOf(t.ts)))) {
          yield { key: keyOf(list), day: Number(day), rows: () => inDay }
        }
      }
    },
    *bucketPrices(width, price) {
      const buckets = groupBy(rows.slice().sort(compareByTs), (t) => `${t.symbol}\0${Math.floor(t.ts / width) * width}\0${t.exchange}`)
      const out: BucketPrice[] = []
      for (const list of buckets.values()) {
        const t = list[0] as TradeRow
        out.push({
          symbol: t.symbol,
          bucket: Math.floor(t.ts / width) * width,
          exchange: t.exchange,
          price: price === 'last' ? (list.at(-1) as TradeRow).price : medianOf(list.map((x) => x.price)),
        })
      }
      yield* out.sort((a, b) =>
        a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.bucket - b.bucket || (a.exchange < b.exchange ? -1 : 1),
      )
    },
  }
}

function medianOf(values: number[]): number {
  const s = values.sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** `YYYY-MM-DD` of a day start. */
export const isoDay = (dayStart: number) => toIso(dayStart).slice(0, 10)
