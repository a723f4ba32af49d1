import { K2Error, MICROS_PER_SECOND, type Tables } from '@k2/core'
import { createQueryLayer, memoryCatalog } from '@k2/query'
import { createDuckDBEngine } from '@k2/query/duckdb'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

const T0 = Date.UTC(2026, 10, 1) * 1000
const S = MICROS_PER_SECOND

type TradeRow = Tables['silver.trades']
type QuoteRow = Tables['silver.quotes']

const trade = (symbol: string, ts: number, id: string): TradeRow => ({
  exchange: 'binance',
  symbol,
  id,
  price: 100,
  qty: 1,
  side: 'buy',
  ts,
  recv_ts: ts,
})
const quote = (symbol: string, ts: number, bid: number): QuoteRow => ({
  exchange: 'binance',
  symbol,
  bid_price: bid,
  bid_qty: 1,
  ask_price: bid + 1,
  ask_qty: 1,
  ts,
  recv_ts: ts,
})

async function withLayer<R>(
  trades: TradeRow[],
  quotes: QuoteRow[],
  fn: (layer: ReturnType<typeof createQueryLayer>) => Promise<R>,
): Promise<R> {
  const layer = createQueryLayer(memoryCatalog({ 'silver.trades': trades, 'silver.quotes': quotes }), { engine: createDuckDBEngine() })
  try {
    return await fn(layer)
  } finally {
    await layer.close()
  }
}

const joined = (layer: ReturnType<typeof createQueryLayer>, tolerance?: string | number) =>
  layer
    .query('silver.trades')
    .select('symbol', 'id', 'ts')
    .asofJoin(layer.query('silver.quotes'), {
      using: ['exchange', 'symbol'],
      select: { bid: 'bid_price', quoteTs: 'ts' },
      ...(tolerance === undefined ? {} : { tolerance }),
    })
    .orderBy('ts')
    .orderBy('id')

describe('asofJoin tolerance (QuestDB ASOF JOIN … TOLERANCE)', () => {
  it('matches the last quote at or before each trade only when it is at most the tolerance older (hand-computed)', async () => {
    const quotes = [quote('BTC-USDT', T0, 10), quote('BTC-USDT', T0 + 10 * S, 11), quote('ETH-USDT', T0 + 1 * S, 20)]
    const trades = [
      trade('BTC-USDT', T0 - 1, '1'), // before any quote: none
      trade('BTC-USDT', T0, '2'), // same instant: at or before matches, age 0
      trade('BTC-USDT', T0 + 5 * S, '3'), // age exactly 5 s: inside
      trade('BTC-USDT', T0 + 5 * S + 1, '4'), // 5 s + 1 µs: too old
      trade('BTC-USDT', T0 + 12 * S, '5'), // the 10 s quote, age 2 s
      trade('ETH-USDT', T0 + 3 * S, '6'), // per symbol: ETH's own quote, age 2 s
    ]
    await withLayer(trades, quotes, async (layer) => {
      const rows = await joined(layer, '5s').rows()
      expect(rows.map((r) => [r.id, r.bid, r.quoteTs])).toEqual([
        ['1', null, null],
        ['2', 10, T0],
        ['6', 20, T0 + 1 * S],
        ['3', 10, T0],
        ['4', null, null],
        ['5', 11, T0 + 10 * S],
      ])
      const all = await joined(layer).rows()
      expect(all.find((r) => r.id === '4')?.bid).toBe(10) // without a tolerance, any age matches
      const { sql, params } = await joined(layer, '5s').toSQL()
      expect(sql).toContain('CASE WHEN epoch_us("t"."ts") - epoch_us("j"."ts") <= $')
      expect(params).toContain(5 * S)
    })
  })

  it('refuses a tolerance that is not a duration', async () => {
    await withLayer([], [], async (layer) => {
      for (const bad of ['5 seconds', -1, '1.5s', {}]) {
        expect(() => joined(layer, bad as never)).toThrow(K2Error)
      }
    })
  })

  it('equals a brute-force JS as-of join for random trades and quotes', async () => {
    const symbol = fc.constantFrom('BTC-USDT', 'ETH-USDT')
    const t = fc.integer({ min: 0, max: 60 }).map((k) => T0 + k * S)
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ symbol, ts: t }), { maxLength: 40 }),
        fc.uniqueArray(fc.record({ symbol, ts: t, bid: fc.integer({ min: 1, max: 1000 }) }), {
          selector: (q) => `${q.symbol}/${q.ts}`,
          maxLength: 30,
        }),
        fc.integer({ min: 0, max: 20 }),
        async (tradeSpecs, quoteSpecs, tolSeconds) => {
          const trades = tradeSpecs.map((x, i) => trade(x.symbol, x.ts, String(i)))
          const quotes = quoteSpecs.map((q) => quote(q.symbol, q.ts, q.bid))
          const expected = trades
            .map((tr) => {
              const best = quotes
                .filter((q) => q.symbol === tr.symbol && q.ts <= tr.ts)
                .reduce<QuoteRow | null>((a, q) => (a === null || q.ts > a.ts ? q : a), null)
              const ok = best !== null && tr.ts - best.ts <= tolSeconds * S
              return { symbol: tr.symbol, id: tr.id, ts: tr.ts, bid: ok ? best.bid_price : null, quoteTs: ok ? best.ts : null }
            })
            .sort((a, b) => a.ts - b.ts || Number(a.id) - Number(b.id))
          const got = await withLayer(trades, quotes, (l) => joined(l, `${tolSeconds}s`).rows())
          got.sort((a, b) => a.ts - b.ts || Number(a.id) - Number(b.id))
          expect(got).toEqual(expected)
        },
      ),
      { numRuns: 25 },
    )
  }, 120_000)
})
