import { CandleAggregator, type OhlcvCandle, ohlcv, type StreamCandle } from '@k2/analytics'
import type { Timeframe } from '@k2/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { arrivalOrder, TIMEFRAMES, tradeStream, WIDTH } from './candles-arbitraries.js'
import { type RefCandle, type RefTrade, refCandles } from './candles-reference.js'

const FIELDS = [
  'exchange',
  'symbol',
  'start',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'quoteVolume',
  'buyVolume',
  'trades',
  'vwap',
  'volumeExact',
  'quoteVolumeExact',
  'buyVolumeExact',
] as const

function pick(c: RefCandle | OhlcvCandle): Record<string, unknown> {
  return Object.fromEntries(FIELDS.map((f) => [f, c[f]]))
}

/** The last revision of each bucket, in (exchange, symbol, start) order. */
function finalCandles(emitted: readonly StreamCandle[]): OhlcvCandle[] {
  const latest = new Map<string, StreamCandle>()
  for (const c of emitted) {
    const k = `${c.exchange}|${c.symbol}|${String(c.start).padStart(20, '0')}`
    const seen = latest.get(k)
    if (seen === undefined || c.revision > seen.revision) latest.set(k, c)
  }
  return [...latest.keys()].sort().map((k) => latest.get(k) as StreamCandle)
}

async function* asAsync<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const x of items) yield x
}

describe('streaming candles equal an independent reference (sort, group, BigInt sums)', () => {
  for (const tf of TIMEFRAMES) {
    it(`${tf}: trades arriving out of order within the allowed lateness`, async () => {
      await fc.assert(
        fc.asyncProperty(
          tradeStream().chain((t) =>
            fc.tuple(
              fc.constant(t),
              fc.integer({ min: 0, max: 90_000_000 }).chain((l) => fc.tuple(fc.constant(l), arrivalOrder(t, l))),
            ),
          ),
          async ([trades, [lateness, arrival]]) => {
            const late: RefTrade[] = []
            const stream = ohlcv(asAsync(arrival as never[]), tf as Timeframe, {
              allowedLateness: lateness,
              onLate: (t) => late.push(t as never),
            })
            const emitted: StreamCandle[] = []
            for await (const c of stream) emitted.push(c)
            expect(late).toEqual([])
            expect(stream.stats.late).toBe(0)
            expect(stream.stats.trades).toBe(trades.length)
            expect(finalCandles(emitted).map(pick)).toEqual(refCandles(trades, WIDTH[tf]).map(pick))
          },
        ),
        { numRuns: 60 },
      )
    })
  }

  it('the batch path agrees too, for any row order', () => {
    fc.assert(
      fc.property(tradeStream(), fc.constantFrom(...TIMEFRAMES), fc.nat(), (trades, tf, seed) => {
        const shuffled = [...trades].sort(
          (a, b) => ((Number(a.id) * 2654435761 + seed) % 1000) - ((Number(b.id) * 2654435761 + seed) % 1000),
        )
        expect(ohlcv(shuffled as never[], tf).map(pick)).toEqual(refCandles(trades, WIDTH[tf]).map(pick))
      }),
      { numRuns: 200 },
    )
  })

  it('with no lateness and sorted input, each candle is emitted once, when a later bucket opens', () => {
    fc.assert(
      fc.property(tradeStream(), (trades) => {
        const agg = new CandleAggregator('1m')
        const emitted: StreamCandle[] = []
        for (const t of trades) {
          for (const c of agg.push(t as never)) {
            // a candle is out only once a trade of the same symbol at or after its end arrived
            expect(t.ts).toBeGreaterThanOrEqual(c.start + 60e6)
            expect(t.symbol).toBe(c.symbol)
            emitted.push(c as StreamCandle)
          }
        }
        emitted.push(...(agg.flush() as StreamCandle[]))
        expect(emitted.every((c) => c.revision === 0)).toBe(true)
        expect(agg.stats.corrections).toBe(0)
        expect(finalCandles(emitted).map(pick)).toEqual(refCandles(trades, 60e6).map(pick))
      }),
      { numRuns: 100 },
    )
  })

  it('an offset shifts the buckets (here 1d from 08:00 UTC)', () => {
    fc.assert(
      fc.property(tradeStream(), (trades) => {
        const offset = 8 * 3600e6
        expect(ohlcv(trades as never[], '1d', { offset }).map(pick)).toEqual(refCandles(trades, 86_400e6, offset).map(pick))
      }),
      { numRuns: 50 },
    )
  })
})
