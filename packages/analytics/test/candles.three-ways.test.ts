import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { lakeGoldRows, ohlcv, resample, rollup, type StreamCandle } from '@k2/analytics'
import type { Tables, Timeframe, Trade } from '@k2/core'
import { openLake } from '@k2/store'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { arrivalOrder, T0, tradeStream } from './candles-arbitraries.js'
import type { RefTrade } from './candles-reference.js'

// Issue 12's "Done when": on the same generated trades — ties in ts, arrival out of order within the
// lateness, empty buckets, an outage — the streaming aggregator, SQL over the lake and higher
// timeframes derived from lower ones (in memory by resample, and in gold by the roll-up) agree to the
// last bit, and on which candles are incomplete.

const ROLLED: Timeframe[] = ['1m', '5m', '30m', '1h', '1d']
const clock = () => T0 + 10 * 86_400_000_000 // every candle within the roll-up's retention

interface Common {
  key: string
  open: number
  high: number
  low: number
  close: number
  volume: number
  quoteVolume: number
  buyVolume: number
  trades: number
  vwap: number
  exact: (string | null | undefined)[]
  complete: boolean
}

const fromCandle = (c: StreamCandle | Omit<StreamCandle, 'revision'>): Common => ({
  key: `${c.exchange}|${c.symbol}|${c.timeframe}|${c.start}`,
  open: c.open,
  high: c.high,
  low: c.low,
  close: c.close,
  volume: c.volume,
  quoteVolume: c.quoteVolume,
  buyVolume: c.buyVolume,
  trades: c.trades,
  vwap: c.vwap,
  exact: [c.volumeExact, c.quoteVolumeExact, c.buyVolumeExact],
  complete: c.complete,
})

const fromGold = (g: Tables['gold.ohlcv']): Common => ({
  key: `${g.exchange}|${g.symbol}|${g.timeframe}|${g.start}`,
  open: g.open,
  high: g.high,
  low: g.low,
  close: g.close,
  volume: g.volume,
  quoteVolume: g.quote_volume,
  buyVolume: g.buy_volume,
  trades: g.trades,
  vwap: g.vwap,
  exact: [g.volume_exact, g.quote_volume_exact, g.buy_volume_exact],
  complete: g.complete,
})

const byKey = (xs: Common[]) => [...xs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))

/** Values only: the live path learns of outages from feed status events, which this test does not send. */
const values = (xs: Common[]) => xs.map(({ complete: _, ...v }) => v)

/** The last revision of each streamed bucket. */
function finals(emitted: readonly StreamCandle[]): Common[] {
  const last = new Map<string, StreamCandle>()
  for (const c of emitted) {
    const k = `${c.symbol}|${c.timeframe}|${c.start}`
    if ((last.get(k)?.revision ?? -1) < c.revision) last.set(k, c)
  }
  return [...last.values()].map(fromCandle)
}

async function* arriving(trades: readonly RefTrade[]): AsyncGenerator<Trade> {
  for (const t of trades) yield { type: 'trade', ...t, recvTs: t.ts } as Trade
}

/**
 * An outage of the whole exchange, [from, to): in the lake, the time between two subscribed
 * intervals of bronze.coverage; in memory, the `gaps` option. An odd µs keeps it off every boundary.
 */
function coverageAround(outage: readonly [number, number]): Tables['bronze.coverage'][] {
  const row = (start_ts: number, end_ts: number) =>
    ({ exchange: 'binance', symbol: null, kind: 'subscribed', start_ts, end_ts }) as Tables['bronze.coverage']
  return [row(T0 - 30 * 86_400_000_000, outage[0]), row(outage[1], T0 + 30 * 86_400_000_000)]
}

describe('candles three ways: streaming = SQL over the lake = derived from lower timeframes', () => {
  it('agree bit for bit, exact sums and completeness included, at 1m, 5m, 30m, 1h, 1d and 90m', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k2-three-ways-'))
    let run = 0
    try {
      await fc.assert(
        fc.asyncProperty(
          tradeStream().chain((t) =>
            fc.tuple(
              fc.constant(t),
              fc.integer({ min: 0, max: 60_000_000 }).chain((l) => arrivalOrder(t, l).map((a) => [l, a] as const)),
              fc
                .tuple(fc.integer({ min: 0, max: t.length - 1 }), fc.integer({ min: 1, max: 7200 }))
                .map(([i, secs]) => [(t[i] as RefTrade).ts - 123, (t[i] as RefTrade).ts - 123 + secs * 1e6] as const),
            ),
          ),
          async ([trades, [lateness, arrival], outage]) => {
            const lake = await openLake(join(dir, `lake-${run++}`), { clock })
            try {
              await (await lake.table('silver.trades')).append(trades.map((t) => ({ type: 'trade', ...t, recvTs: t.ts }) as Trade))
              await (await lake.table('bronze.coverage')).append(coverageAround(outage))
              await rollup(lake, { timeframes: ROLLED, clock })
              const gold = (await (await lake.table('gold.ohlcv')).scan()).map(fromGold)
              const gaps = [outage]
              const minutes = ohlcv(trades as Trade[], '1m', { gaps })
              let incomplete = 0
              for (const tf of [...ROLLED, '90m'] as Timeframe[]) {
                const streamed = []
                for await (const c of ohlcv(arriving(arrival), tf, { allowedLateness: lateness })) streamed.push(c)
                const want = byKey(ohlcv(trades as Trade[], tf, { gaps }).map(fromCandle)) // batch
                expect(want.length).toBeGreaterThan(0)
                incomplete += want.filter((c) => !c.complete).length
                expect(values(byKey(finals(streamed)))).toEqual(values(want)) // streaming
                expect(byKey((await lakeGoldRows(lake, { timeframe: tf })).map(fromGold))).toEqual(want) // SQL
                expect(byKey(resample(minutes, tf, { gaps }).map((c) => fromCandle(c as StreamCandle)))).toEqual(want) // derived in memory
                if (ROLLED.includes(tf)) expect(byKey(gold.filter((g) => g.key.includes(`|${tf}|`)))).toEqual(want) // derived in gold
              }
              expect(incomplete).toBeGreaterThan(0) // the outage always holds a trade (and so its bucket)
            } finally {
              await lake.close()
            }
          },
        ),
        { numRuns: 12 },
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 240_000)
})
