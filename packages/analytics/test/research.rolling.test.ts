import { rollingTwap, rollingVwap } from '@k2/analytics'
import { tableFromArrays } from 'apache-arrow'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { expectClose, expectValidation, SECOND } from './research-helpers.js'

// Four trades: 0 s 100×1, 10 s 102×3, 70 s 101×2, 75 s 99×2.
const trades = [
  { ts: 0, price: 100, qty: 1, side: 'buy' as const },
  { ts: 10 * SECOND, price: 102, qty: 3, side: 'sell' as const },
  { ts: 70 * SECOND, price: 101, qty: 2, side: 'buy' as const },
  { ts: 75 * SECOND, price: 99, qty: 2, side: 'buy' as const },
]

describe('rollingVwap', () => {
  it('over 60 s windows (t − 60 s, t]: the trade exactly 60 s back is out', () => {
    // t=0: 100. t=10: (100·1 + 102·3) / 4 = 406/4 = 101.5.
    // t=70: window (10, 70] excludes the 10 s trade: 101. t=75: (15, 75]: (101·2 + 99·2) / 4 = 100.
    expectClose(rollingVwap(trades, { time: '60s' }), [100, 101.5, 101, 100], 12)
    expectClose(rollingVwap(trades, { time: 60 * SECOND }), [100, 101.5, 101, 100], 12)
  })

  it('over the last 2 trades, NaN until 2 exist', () => {
    // t=10: 101.5; t=70: (102·3 + 101·2) / 5 = 508/5 = 101.6; t=75: (101·2 + 99·2) / 4 = 100.
    expectClose(rollingVwap(trades, { count: 2 }), [Number.NaN, 101.5, 101.6, 100], 12)
  })

  it('reads columns and Arrow tables like objects', () => {
    const columns = { ts: trades.map((t) => t.ts), price: trades.map((t) => t.price), qty: trades.map((t) => t.qty) }
    const want = rollingVwap(trades, { count: 2 })
    expectClose(rollingVwap(columns, { count: 2 }), want)
    expectClose(
      rollingVwap(
        tableFromArrays({
          ts: Float64Array.from(columns.ts),
          price: Float64Array.from(columns.price),
          qty: Float64Array.from(columns.qty),
        }),
        { count: 2 },
      ),
      want,
    )
  })

  it('leaves trades with a missing price or qty out of every window, and NaN themselves', () => {
    const withHole = [trades[0], { ts: 5 * SECOND, price: Number.NaN, qty: 9 }, ...trades.slice(1)] as typeof trades
    // The last-2 window at 10 s skips the hole: (100 + 306) / 4 = 101.5, as without it.
    expectClose(rollingVwap(withHole, { count: 2 }), [Number.NaN, Number.NaN, 101.5, 101.6, 100], 12)
  })

  it('keeps a tiny trade exact after a huge one (no running totals are subtracted)', () => {
    // Last-1 window at the second trade: 200·1e-8 / 1e-8 = 200. Prefix sums would compute
    // (1e10 + 2e-6 − 1e10) / (1e8 + 1e-8 − 1e8), which keeps almost none of those digits.
    const rows = [
      { ts: 0, price: 100, qty: 1e8 },
      { ts: 1, price: 200, qty: 1e-8 },
    ]
    expect(Array.from(rollingVwap(rows, { count: 1 }))).toEqual([100, 200])
  })

  it('gives an empty array for no trades', () => {
    expect(rollingVwap([], { time: '1m' })).toEqual(new Float64Array(0))
  })

  it('rejects unsorted trades, a window below 1 and a missing window', () => {
    expectValidation(() => rollingVwap([trades[1], trades[0]] as typeof trades, { time: '1m' }), /sorted by time.*row 1/)
    expectValidation(() => rollingVwap(trades, { count: 0 }), /window count must be a whole number >= 1/)
    expectValidation(() => rollingVwap(trades, { time: '0s' }), /at least 1 µs/)
    expectValidation(() => rollingVwap(trades, {} as { count: number }), /pass a window/)
    expectValidation(() => rollingVwap({ ts: [1, 2], price: [1], qty: [1, 1] }, { count: 1 }), /price has 1 values but ts has 2/)
  })
})

describe('rollingTwap', () => {
  it('over 60 s windows, the price standing when the window opened counts until the next trade', () => {
    // t=0: spans no time: 100. t=10: 100 stood 10 s of 10 s: 100 (no history before 0 s).
    // t=70: window [10, 70]: 102 stood all 60 s: 102.
    // t=75: window [15, 75]: 102 for 55 s, 101 for 5 s: (5610 + 505) / 60 = 101.91666…
    expectClose(rollingTwap(trades, { time: '60s' }), [100, 100, 102, 6115 / 60], 12)
  })

  it('over the last n trades weights each by the time until the next one', () => {
    // n=2: t=10: 100·10/10 = 100; t=70: 102·60/60 = 102; t=75: 101·5/5 = 101.
    expectClose(rollingTwap(trades, { count: 2 }), [Number.NaN, 100, 102, 101], 12)
    // n=3: t=70: (100·10 + 102·60) / 70 = 7120/70 = 101.714…; t=75: (102·60 + 101·5) / 65 = 6625/65 = 101.923…
    expectClose(rollingTwap(trades, { count: 3 }), [Number.NaN, Number.NaN, 7120 / 70, 6625 / 65], 12)
  })

  it('needs no quantities, and is the newest price when the window spans no time', () => {
    // Two trades in the same µs: no time has passed, so the newest price stands.
    expectClose(rollingTwap({ ts: [5, 5], price: [10, 11] }, { time: '1s' }), [10, 11])
  })

  it('equals the integral of the last-price step function, computed trade by trade', () => {
    const sortedTrades = fc
      .array(fc.record({ gap: fc.integer({ min: 0, max: 30 * SECOND }), price: fc.double({ min: 1, max: 1000, noNaN: true }) }), {
        minLength: 1,
        maxLength: 40,
      })
      .map((rows) => withTimes(rows, 1_700_000_000_000_000))
    fc.assert(
      fc.property(sortedTrades, fc.integer({ min: 1, max: 120 * SECOND }), fc.integer({ min: 1, max: 8 }), (rows, width, count) => {
        expectClose(rollingTwap(rows, { time: width }), naiveTimeTwap(rows, width), 6)
        expectClose(rollingTwap(rows, { count }), naiveCountTwap(rows, count), 6)
      }),
    )
  })
})

describe('rollingVwap property', () => {
  it('equals a fresh Σ price·qty / Σ qty over each window', () => {
    const sortedTrades = fc
      .array(
        fc.record({
          gap: fc.integer({ min: 0, max: 20 * SECOND }),
          price: fc.double({ min: 1, max: 1e5, noNaN: true }),
          qty: fc.double({ min: 1e-6, max: 100, noNaN: true }),
        }),
        { maxLength: 40 },
      )
      .map((rows) => withTimes(rows, 0))
    fc.assert(
      fc.property(sortedTrades, fc.integer({ min: 1, max: 60 * SECOND }), fc.integer({ min: 1, max: 10 }), (rows, width, count) => {
        const byTime = rows.map((r, i) => naiveVwap(rows.slice(0, i + 1).filter((w) => w.ts > r.ts - width)))
        const byCount = rows.map((_, i) => (i + 1 < count ? Number.NaN : naiveVwap(rows.slice(i + 1 - count, i + 1))))
        expectClose(rollingVwap(rows, { time: width }), byTime, 6)
        expectClose(rollingVwap(rows, { count }), byCount, 6)
      }),
    )
  })
})

type Row = { ts: number; price: number }

/** Rows with `ts` accumulated from their `gap`s (so sorted, with ties where a gap is 0). */
function withTimes<R extends { gap: number }>(rows: R[], first: number): (Omit<R, 'gap'> & { ts: number })[] {
  let ts = first
  return rows.map(({ gap, ...rest }) => {
    ts += gap
    return { ...rest, ts }
  })
}

function naiveVwap(rows: { price: number; qty: number }[]): number {
  return rows.reduce((a, r) => a + r.price * r.qty, 0) / rows.reduce((a, r) => a + r.qty, 0)
}

/** Integrates each price over [its ts, next ts] clipped to [t − width, t]. */
function naiveTimeTwap(rows: Row[], width: number): number[] {
  return rows.map((r, i) => {
    const left = r.ts - width
    let area = 0
    let span = 0
    for (let m = 0; m <= i; m++) {
      const from = Math.max((rows[m] as Row).ts, left)
      const to = m < i ? Math.min((rows[m + 1] as Row).ts, r.ts) : r.ts
      if (to > from) {
        area += (rows[m] as Row).price * (to - from)
        span += to - from
      }
    }
    return span > 0 ? area / span : r.price
  })
}

function naiveCountTwap(rows: Row[], count: number): number[] {
  return rows.map((r, i) => {
    if (i + 1 < count) return Number.NaN
    let area = 0
    for (let m = i + 1 - count; m < i; m++) area += (rows[m] as Row).price * ((rows[m + 1] as Row).ts - (rows[m] as Row).ts)
    const span = r.ts - (rows[i + 1 - count] as Row).ts
    return span > 0 ? area / span : r.price
  })
}
