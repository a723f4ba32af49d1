import { rollingVwap, tradeFlowImbalance } from '@k2/analytics'
import { Float64, Int64, makeTable, Table, TimestampMicrosecond, TimestampMillisecond, vectorFromArray } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { expectClose, expectValidation, MINUTE } from './research-helpers.js'

// How Arrow columns become numbers: int64 via Number(), timestamps to epoch µs, nulls to NaN.
describe('research inputs from Arrow', () => {
  it('reads int64 and timestamp[µs] columns as epoch µs', () => {
    const table = new Table({
      ts: vectorFromArray([0, 60_000, 60_001], new TimestampMicrosecond()), // set in ms: 0, 60 s, 60.001 s
      price: vectorFromArray([1, 2, 3], new Float64()),
      qty: vectorFromArray([1n, 2n, 3n], new Int64()),
      side: vectorFromArray(['buy', 'sell', 'buy']),
    })
    // 1-minute buckets: [0, 1 min) holds the buy 1; [1 min, 2 min) the sell 2 and the buy 3: (3 − 2) / 5 = 0.2.
    const r = tradeFlowImbalance(table, { timeframe: '1m' })
    expect(Array.from(r.start)).toEqual([0, MINUTE])
    expectClose(r.imbalance, [1, 0.2], 14)
  })

  it('converts timestamp[ms] to µs as well', () => {
    const table = new Table({
      ts: vectorFromArray([0, 90_000], new TimestampMillisecond()),
      price: vectorFromArray([1, 1], new Float64()),
      qty: vectorFromArray([1, 1], new Float64()),
    })
    expect(Array.from(tradeFlowImbalance(table, { timeframe: '1m' }).start)).toEqual([0, MINUTE])
  })

  it('takes an Arrow null as missing, not as the 0 stored beneath it', () => {
    const table = makeTable({ ts: Float64Array.of(0, 1, 2), price: Float64Array.of(100, 50, 200), qty: Float64Array.of(1, 1, 1) })
    const withNull = new Table({
      ts: table.getChild('ts')!,
      price: table.getChild('price')!,
      qty: vectorFromArray([1, null, 1], new Float64()),
    })
    // The middle trade has no qty: left out, so the last-2 VWAP at ts 2 is (100 + 200) / 2 = 150.
    expectClose(rollingVwap(withNull, { count: 2 }), [Number.NaN, Number.NaN, 150], 14)
  })

  it('says which columns a table lacks', () => {
    expectValidation(() => rollingVwap(makeTable({ time: Float64Array.of(0) }), { count: 1 }), /needs a column ts; it has time/)
    expectValidation(() => rollingVwap({ ts: [0] } as never, { count: 1 }), /columns \{ ts, price, qty, side\? \}/)
  })
})
