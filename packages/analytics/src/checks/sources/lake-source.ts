import { MICROS_PER_DAY } from '@k2/core'
import type { QueryLayer } from '@k2/query'
import type { Lake } from '@k2/store'
import type { RecordBatch } from 'apache-arrow'
import type { CandleGroup } from '../candle-checker.js'
import { toCandleRow } from '../candle-row.js'
import type { TradeDayKey } from '../coverage-check.js'
import type { BucketPrice } from '../divergence.js'
import type { TradeDay } from '../price-jump.js'
import { compareIds, type TradeRow, toTradeRow } from '../trade-row.js'
import { isoDay } from './memory-source.js'
import type { CandleSource, CoverageSource, TradeSource } from './source.js'

// Every read goes through the query layer with bound values, at one pinned snapshot per table, and
// streams Arrow batches: JavaScript holds one batch (plus one day of returns for price jumps).

/** Rows of a stream of Arrow batches, as plain objects. */
export async function* rowsOf(batches: AsyncIterable<RecordBatch>): AsyncGenerator<Record<string, unknown>> {
  for await (const b of batches) {
    const names = b.schema.fields.map((f) => f.name)
    const cols = names.map((_, i) => b.getChildAt(i))
    for (let r = 0; r < b.numRows; r++) {
      const row: Record<string, unknown> = {}
      for (let c = 0; c < names.length; c++) row[names[c] as string] = cols[c]?.get(r) ?? null
      yield row
    }
  }
}

async function* tradeRows(batches: AsyncIterable<RecordBatch>): AsyncGenerator<TradeRow> {
  for await (const r of rowsOf(batches)) yield toTradeRow(r, 'silver.trades row')
}

/** Trades ordered by ts from SQL, with runs of equal ts put in id order (the builder orders by columns only). */
async function* inTsThenIdOrder(rows: AsyncIterable<TradeRow>): AsyncGenerator<TradeRow> {
  let run: TradeRow[] = []
  for await (const t of rows) {
    if (run.length > 0 && (run[0] as TradeRow).ts !== t.ts) {
      yield* run.sort((a, b) => compareIds(a.id, b.id))
      run = []
    }
    run.push(t)
  }
  yield* run.sort((a, b) => compareIds(a.id, b.id))
}

export function lakeCandles(layer: QueryLayer, snapshot: bigint | null): CandleSource {
  return {
    target: 'gold.ohlcv',
    async *groups() {
      if (snapshot === null) return
      const ref = layer.ref('gold.ohlcv', { snapshot })
      const list = await layer.sql`select exchange, symbol, source, timeframe from ${ref} group by all order by all`
        .as<{ exchange: string; symbol: string; source: string; timeframe: string }>()
        .rows()
      const groups = new Map<string, CandleGroup>()
      for (const r of list) {
        const k = `${r.exchange}\0${r.symbol}\0${r.source}`
        const g = groups.get(k) ?? { exchange: r.exchange, symbol: r.symbol, source: r.source, timeframes: [] }
        ;(g.timeframes as string[]).push(r.timeframe)
        groups.set(k, g)
      }
      for (const group of groups.values()) {
        const q = layer
          .query('gold.ohlcv')
          .asOf({ snapshot })
          .where({ exchange: group.exchange, symbol: group.symbol, source: group.source })
          .orderBy('start')
        yield {
          group,
          rows: async function* () {
            for await (const r of rowsOf(q.batches())) yield toCandleRow(r, 'gold.ohlcv row')
          },
        }
      }
    },
  }
}

interface DayRow {
  exchange: string
  symbol: string
  day: number
}

/** The exchange/symbol/UTC days that have trades. */
function tradeDays(layer: QueryLayer, snapshot: bigint | null): Promise<DayRow[]> {
  if (snapshot === null) return Promise.resolve([])
  const day = BigInt(MICROS_PER_DAY)
  return layer.sql`select exchange, symbol, epoch_us(ts) // ${day} * ${day} as day from ${layer.ref('silver.trades', { snapshot })} group by all order by all`
    .as<DayRow>()
    .rows()
}

export function lakeTrades(layer: QueryLayer, snapshot: bigint | null): TradeSource {
  return {
    target: 'silver.trades',
    async *byId() {
      if (snapshot === null) return
      const ref = layer.ref('silver.trades', { snapshot })
      const keys = await layer.sql`select exchange, symbol from ${ref} group by all order by all`
        .as<{ exchange: string; symbol: string }>()
        .rows()
      for (const key of keys) {
        const q = layer.sql`select * from ${ref} where exchange = ${key.exchange} and symbol = ${key.symbol} order by strlen(id), id`
        yield { key, rows: () => tradeRows(q.batches()) }
      }
    },
    async *days(): AsyncGenerator<TradeDay> {
      for (const d of await tradeDays(layer, snapshot)) {
        const q = layer
          .query('silver.trades')
          .asOf({ snapshot: snapshot as bigint })
          .where({ exchange: d.exchange, symbol: d.symbol })
          .between('ts', d.day, d.day + MICROS_PER_DAY - 1)
          .orderBy('ts')
        yield { key: { exchange: d.exchange, symbol: d.symbol }, day: d.day, rows: () => inTsThenIdOrder(tradeRows(q.batches())) }
      }
    },
    async *bucketPrices(width, price) {
      if (snapshot === null) return
      const ref = layer.ref('silver.trades', { snapshot })
      const w = BigInt(width)
      const q =
        price === 'median'
          ? layer.sql`select symbol, epoch_us(ts) // ${w} * ${w} as bucket, exchange, median(price) as price from ${ref} group by all order by symbol, bucket, exchange`
          : layer.sql`select symbol, epoch_us(ts) // ${w} * ${w} as bucket, exchange, last(price order by ts, strlen(id), id) as price from ${ref} group by all order by symbol, bucket, exchange`
      for await (const r of rowsOf(q.batches())) yield r as unknown as BucketPrice
    },
  }
}

export function lakeCoverage(lake: Lake, layer: QueryLayer, tradesSnapshot: bigint | null): CoverageSource {
  return {
    async *days(): AsyncGenerator<TradeDayKey> {
      for (const d of await tradeDays(layer, tradesSnapshot)) yield { exchange: d.exchange, symbol: d.symbol, day: isoDay(d.day) }
    },
    coverage: (q) => lake.coverage(q),
  }
}
