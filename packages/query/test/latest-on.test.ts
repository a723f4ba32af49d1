import { K2Error, MICROS_PER_SECOND, TABLE_SCHEMAS, type Tables } from '@k2/core'
import { createQueryLayer, memoryCatalog } from '@k2/query'
import { createDuckDBEngine } from '@k2/query/duckdb'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

const T0 = Date.UTC(2026, 10, 1) * 1000
const S = MICROS_PER_SECOND
type QuoteRow = Tables['silver.quotes']

const quote = (exchange: string, symbol: string, ts: number, bid: number, askQty = 1): QuoteRow => ({
  exchange,
  symbol,
  bid_price: bid,
  bid_qty: 1,
  ask_price: bid + 1,
  ask_qty: askQty,
  ts,
  recv_ts: ts,
})

async function withLayer<R>(quotes: QuoteRow[], fn: (layer: ReturnType<typeof createQueryLayer>) => Promise<R>): Promise<R> {
  const layer = createQueryLayer(memoryCatalog({ 'silver.quotes': quotes }), { engine: createDuckDBEngine() })
  try {
    return await fn(layer)
  } finally {
    await layer.close()
  }
}

const key = (r: QuoteRow) => `${r.exchange}/${r.symbol}`

describe('latestOn (QuestDB LATEST ON … PARTITION BY)', () => {
  it('gives the last row per key at or before a time (hand-computed)', async () => {
    const quotes = [
      quote('binance', 'BTC-USDT', T0, 10),
      quote('binance', 'BTC-USDT', T0 + 5 * S, 11),
      quote('binance', 'BTC-USDT', T0 + 9 * S, 12),
      quote('kraken', 'BTC-USDT', T0 + 2 * S, 20),
      quote('binance', 'ETH-USDT', T0 + 8 * S, 30),
    ]
    await withLayer(quotes, async (layer) => {
      const q = (at?: number) =>
        layer
          .query('silver.quotes')
          .latestOn({ partitionBy: ['exchange', 'symbol'], ...(at === undefined ? {} : { at }) })
          .orderBy('exchange')
          .orderBy('symbol')
      expect((await q(T0 + 6 * S).rows()).map((r) => [key(r), r.bid_price])).toEqual([
        ['binance/BTC-USDT', 11],
        ['kraken/BTC-USDT', 20],
      ])
      expect((await q().rows()).map((r) => [key(r), r.bid_price])).toEqual([
        ['binance/BTC-USDT', 12],
        ['binance/ETH-USDT', 30],
        ['kraken/BTC-USDT', 20],
      ])
      // With a filter and a selection; by symbol only: the latest across exchanges.
      const bySymbol = await layer
        .query('silver.quotes')
        .where({ symbol: 'BTC-USDT' })
        .select('exchange', 'ts')
        .latestOn({ partitionBy: ['symbol'], at: '2026-11-01T00:00:03Z' })
        .rows()
      expect(bySymbol).toEqual([{ exchange: 'kraken', ts: T0 + 2 * S }])
      const { sql, params } = await q(T0).toSQL()
      expect(sql).toContain('QUALIFY row_number() OVER (PARTITION BY "t"."exchange", "t"."symbol" ORDER BY "t"."ts" DESC NULLS LAST')
      expect(params).toContain(T0)
    })
  })

  it('refuses bad options and aggregates with K2Error(VALIDATION)', async () => {
    await withLayer([], async (layer) => {
      const q = layer.query('silver.quotes')
      expect(() => q.latestOn({ partitionBy: [] })).toThrow(/needs partitionBy/)
      expect(() => q.latestOn({ partitionBy: ['nope' as never] })).toThrow(K2Error)
      expect(() => q.latestOn({ partitionBy: ['symbol'], on: 'bid_price' as never })).toThrow(/timestamptz/)
      expect(() => q.aggregate((f) => ({ n: f.count() })).latestOn({ partitionBy: ['symbol'] })).toThrow(/aggregates/)
      await expect(
        q
          .latestOn({ partitionBy: ['symbol'] })
          .aggregate((f) => ({ n: f.count() }))
          .rows(),
      ).rejects.toThrow(/aggregates/)
    })
  })

  it('equals a brute-force JS pick of the last row per key for random quotes with ties', async () => {
    const cols = TABLE_SCHEMAS['silver.quotes'].map((c) => c.name).filter((c) => c !== 'ts') as (keyof QuoteRow)[]
    // The documented tie-break: latest ts, then the columns in schema order, greatest first.
    const later = (a: QuoteRow, b: QuoteRow) => {
      if (a.ts !== b.ts) return a.ts > b.ts
      for (const c of cols) if (a[c] !== b[c]) return (a[c] as number | string) > (b[c] as number | string)
      return false
    }
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            exchange: fc.constantFrom('binance', 'kraken'),
            symbol: fc.constantFrom('BTC-USDT', 'ETH-USDT', 'SOL-USDT'),
            k: fc.integer({ min: 0, max: 8 }),
            bid: fc.integer({ min: 1, max: 4 }),
            askQty: fc.integer({ min: 1, max: 3 }),
          }),
          { maxLength: 40 },
        ),
        fc.integer({ min: 0, max: 9 }),
        async (specs, atK) => {
          const quotes = specs.map((s) => quote(s.exchange, s.symbol, T0 + s.k * S, s.bid, s.askQty))
          const at = T0 + atK * S
          const best = new Map<string, QuoteRow>()
          for (const q of quotes) {
            if (q.ts > at) continue
            const cur = best.get(key(q))
            if (!cur || later(q, cur)) best.set(key(q), q)
          }
          const expected = [...best.values()].sort((a, b) => (key(a) < key(b) ? -1 : 1))
          const got = await withLayer(quotes, (l) =>
            l
              .query('silver.quotes')
              .latestOn({ partitionBy: ['exchange', 'symbol'], at })
              .orderBy('exchange')
              .orderBy('symbol')
              .rows(),
          )
          expect(got).toEqual(expected)
        },
      ),
      { numRuns: 30 },
    )
  }, 120_000)
})
