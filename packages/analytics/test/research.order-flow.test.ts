import { ofiEvents, orderFlowImbalance, tradeFlowImbalance } from '@k2/analytics'
import { tableFromArrays } from 'apache-arrow'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { expectClose, expectValidation, MINUTE, SECOND } from './research-helpers.js'

describe('tradeFlowImbalance', () => {
  // Minute 0: buy 2, sell 1, unknown 5; minute 1: sell 3; minute 2: nothing; minute 3: buy 1; minute 4: unknown only.
  const trades = [
    { ts: 0, price: 1, qty: 2, side: 'buy' as const },
    { ts: 30 * SECOND, price: 1, qty: 1, side: 'sell' as const },
    { ts: MINUTE - 1, price: 1, qty: 5, side: 'unknown' as const },
    { ts: MINUTE, price: 1, qty: 3, side: 'sell' as const },
    { ts: 3 * MINUTE, price: 1, qty: 1, side: 'buy' as const },
    { ts: 4 * MINUTE, price: 1, qty: 7, side: 'unknown' as const },
  ]

  it('is (buy − sell) / (buy + sell) per UTC minute, empty minutes skipped', () => {
    // Minute 0: (2 − 1) / (2 + 1) = 1/3 (the unknown 5 counts as a trade, in neither volume).
    // Minute 1: (0 − 3) / 3 = −1. Minute 3: 1/1 = +1. Minute 4: no signed volume: NaN.
    const r = tradeFlowImbalance(trades, { timeframe: '1m' })
    expect(Array.from(r.start)).toEqual([0, MINUTE, 3 * MINUTE, 4 * MINUTE])
    expectClose(r.imbalance, [1 / 3, -1, 1, Number.NaN], 14)
    expect(Array.from(r.buyVolume)).toEqual([2, 0, 1, 0])
    expect(Array.from(r.sellVolume)).toEqual([1, 3, 0, 0])
    expect(Array.from(r.trades)).toEqual([3, 1, 1, 1])
  })

  it('does not need sorted trades, and reads an Arrow table with a side column', () => {
    const shuffled = [...trades].reverse()
    const table = tableFromArrays({
      ts: Float64Array.from(shuffled, (t) => t.ts),
      price: Float64Array.from(shuffled, (t) => t.price),
      qty: Float64Array.from(shuffled, (t) => t.qty),
      side: shuffled.map((t) => t.side),
    })
    expectClose(tradeFlowImbalance(table, { timeframe: '1m' }).imbalance, [1 / 3, -1, 1, Number.NaN], 14)
  })

  it('honours a bucket offset, gives empty columns for no trades, and rejects a bad timeframe', () => {
    // 2-minute buckets shifted by 1 minute: [−1m, 1m) holds minute 0; [1m, 3m) minute 1; [3m, 5m) minutes 3 and 4.
    const r = tradeFlowImbalance(trades, { timeframe: '2m', offset: MINUTE })
    expect(Array.from(r.start)).toEqual([-MINUTE, MINUTE, 3 * MINUTE])
    expect(tradeFlowImbalance([], { timeframe: '1m' }).start.length).toBe(0)
    expectValidation(() => tradeFlowImbalance(trades, { timeframe: '1x' as '1m' }), /invalid timeframe/)
  })
})

describe('ofiEvents (Cont–Kukanov–Stoikov)', () => {
  // q0 bid 100×5 ask 101×4, then:
  // q1 bid 100×7 ask 101×4: bid unchanged: +7 − 5; ask unchanged: −4 + 4          → e = 2
  // q2 bid 100.5×1 ask 101×2: bid up: +1; ask unchanged: −2 + 4                     → e = 3
  // q3 bid 100×3 ask 100.8×6: bid down: −1 (the old size); ask down: −6 (the new)  → e = −7
  // q4 bid 100×3 ask 101.2×1: bid unchanged: +3 − 3; ask up: +6 (the old size)      → e = 6
  const quotes = [
    { ts: 0, bidPrice: 100, bidQty: 5, askPrice: 101, askQty: 4 },
    { ts: 3 * SECOND, bidPrice: 100, bidQty: 7, askPrice: 101, askQty: 4 },
    { ts: 9 * SECOND, bidPrice: 100.5, bidQty: 1, askPrice: 101, askQty: 2 },
    { ts: 10 * SECOND, bidPrice: 100, bidQty: 3, askPrice: 100.8, askQty: 6 },
    { ts: 25 * SECOND, bidPrice: 100, bidQty: 3, askPrice: 101.2, askQty: 1 },
  ]

  it('scores each book change by the queue sizes it adds or removes', () => {
    expectClose(ofiEvents(quotes), [Number.NaN, 2, 3, -7, 6], 14)
  })

  it('sums events per bucket, the first event of a bucket comparing with the bucket before', () => {
    // 10 s buckets: [0, 10 s): q1 + q2 = 5 (q0 has no event); [10 s, 20 s): −7; [20 s, 30 s): 6.
    const r = orderFlowImbalance(quotes, { timeframe: '10s' })
    expect(Array.from(r.start)).toEqual([0, 10 * SECOND, 20 * SECOND])
    expect(Array.from(r.ofi)).toEqual([5, -7, 6])
    expect(Array.from(r.events)).toEqual([2, 1, 1])
  })

  it('reads a lake-style Arrow table (snake_case), and skips an incomplete quote', () => {
    const table = tableFromArrays({
      ts: Float64Array.from(quotes, (q) => q.ts),
      bid_price: Float64Array.from(quotes, (q) => q.bidPrice),
      bid_qty: Float64Array.from(quotes, (q) => q.bidQty),
      ask_price: Float64Array.from(quotes, (q) => q.askPrice),
      ask_qty: Float64Array.from(quotes, (q) => q.askQty),
    })
    expectClose(ofiEvents(table), [Number.NaN, 2, 3, -7, 6], 14)
    // Without bid sizes at q1, q2 compares with q0: bid up: +1; ask unchanged: −2 + 4 → 3.
    const holed = quotes.map((q, i) => (i === 1 ? { ...q, bidQty: Number.NaN } : q))
    expectClose(ofiEvents(holed), [Number.NaN, Number.NaN, 3, -7, 6], 14)
  })

  it('rejects unsorted quotes and missing columns', () => {
    expectValidation(() => ofiEvents([quotes[1], quotes[0]] as typeof quotes), /quotes must be sorted by time/)
    expectValidation(() => ofiEvents({ ts: [0] } as never), /bidPrice is missing/)
    expectValidation(() => ofiEvents(tableFromArrays({ ts: [0], bid: [1] })), /needs a column bid_price or bidPrice/)
  })

  it('sums to the change in (bid size − ask size) while prices stay put', () => {
    // With constant prices e[n] = (qb[n] − qb[n−1]) − (qa[n] − qa[n−1]) = Δ(qb − qa): the sum telescopes.
    const sizes = fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 50 })), { minLength: 1, maxLength: 30 })
    fc.assert(
      fc.property(sizes, (rows) => {
        const qs = rows.map(([b, a], i) => ({ ts: i, bidPrice: 100, bidQty: b, askPrice: 101, askQty: a }))
        const total = ofiEvents(qs)
          .slice(1)
          .reduce((s, e) => s + e, 0)
        const [b0, a0] = rows[0] as [number, number]
        const [bn, an] = rows.at(-1) as [number, number]
        expect(total).toBe(bn - an - (b0 - a0))
      }),
    )
  })
})
